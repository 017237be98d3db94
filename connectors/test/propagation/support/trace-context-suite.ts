// Every traceparent and tracestate case of the W3C Trace Context conformance suite (w3c/trace-context
// test/test.py) that runs at STRICT_LEVEL=2 and SPEC_LEVEL=2, rewritten as our own tests over a
// Transport: a traced hop that reads the sent header fields and reports the headers of its
// outgoing call(s). Shared so that every hop Threadline implements (a plain header map, an HTTP
// service, the interceptor proxy) runs the same cases.
import type { HeaderField, OutgoingHeaders, Transport } from './service-hop';
import { TRACEPARENT_FIELDS, TRACESTATE_MEMBER } from './grammar';

const TRACE_ID = '12345678901234567890123456789012';
const PARENT_ID = '1234567890123456';
const VALID_00 = `00-${TRACE_ID}-${PARENT_ID}-00`;
const VALID_01 = `00-${TRACE_ID}-${PARENT_ID}-01`;

interface OutgoingTraceparent {
  version: string;
  traceId: string;
  parentId: string;
  flags: number;
}

/** Exactly one traceparent field, well-formed, as the harness requires of every callback. */
function readTraceparent(headers: OutgoingHeaders): OutgoingTraceparent {
  const fields = Object.keys(headers).filter((name) => /^traceparent$/i.test(name));
  expect(fields).toHaveLength(1);
  const match = TRACEPARENT_FIELDS.exec(headers[fields[0]]);
  if (!match) throw new Error(`outgoing traceparent is malformed: ${JSON.stringify(headers[fields[0]])}`);
  return { version: match[1], traceId: match[2], parentId: match[3], flags: parseInt(match[4], 16) };
}

/** The outgoing tracestate as an ordered map; every member must be well-formed. */
function readTracestate(headers: OutgoingHeaders): Map<string, string> {
  const state = new Map<string, string>();
  for (const name of Object.keys(headers).filter((n) => /^tracestate$/i.test(n))) {
    for (const member of headers[name].split(/[ \t]*,[ \t]*/)) {
      if (member === '') continue;
      const match = TRACESTATE_MEMBER.exec(member);
      if (!match) throw new Error(`outgoing tracestate member is malformed: ${JSON.stringify(member)}`);
      if (!state.has(match[1])) state.set(match[1], match[2]);
    }
  }
  return state;
}

function serialized(state: Map<string, string>): string {
  return [...state].map(([key, value]) => `${key}=${value}`).join(',');
}

export function describeTraceContextSuite(via: string, open: () => Promise<Transport>): void {
  describe(`W3C trace-context suite (strict level 2, spec level 2) via ${via}`, () => {
    let transport: Transport;

    beforeAll(async () => {
      transport = await open();
    });

    afterAll(async () => {
      await transport.close();
    });

    async function single(fields: HeaderField[]): Promise<{ traceparent: OutgoingTraceparent; tracestate: Map<string, string> }> {
      const [headers] = await transport.hop(fields);
      return { traceparent: readTraceparent(headers), tracestate: readTracestate(headers) };
    }

    /** The suite's "invalid traceparent" expectation: the service restarted the trace. */
    async function expectRestart(value: string, ...notTraceIds: string[]): Promise<void> {
      const { traceparent } = await single([['traceparent', value]]);
      for (const id of [TRACE_ID, ...notTraceIds]) expect(traceparent.traceId).not.toBe(id);
    }

    async function expectContinued(fields: HeaderField[]): Promise<void> {
      const { traceparent } = await single(fields);
      expect(traceparent.traceId).toBe(TRACE_ID);
    }

    describe('TraceContextTest', () => {
      test('test_both_traceparent_and_tracestate_missing: a new valid traceparent is sent', async () => {
        const { traceparent } = await single([]);
        expect(traceparent.version).toBe('00');
      });

      test('test_traceparent_included_tracestate_missing: same trace id, new parent id', async () => {
        const { traceparent } = await single([['traceparent', VALID_01]]);
        expect(traceparent.traceId).toBe(TRACE_ID);
        expect(traceparent.parentId).not.toBe(PARENT_ID);
      });

      test('test_traceparent_duplicated: two traceparent fields restart the trace', async () => {
        const { traceparent } = await single([
          ['traceparent', `00-12345678901234567890123456789011-${PARENT_ID}-01`],
          ['traceparent', `00-12345678901234567890123456789012-${PARENT_ID}-01`],
        ]);
        expect(traceparent.traceId).not.toBe('12345678901234567890123456789011');
        expect(traceparent.traceId).not.toBe('12345678901234567890123456789012');
      });

      test('test_traceparent_header_name: trace-parent and trace.parent are not traceparent', async () => {
        for (const name of ['trace-parent', 'trace.parent']) {
          const { traceparent } = await single([[name, VALID_01]]);
          expect(traceparent.traceId).not.toBe(TRACE_ID);
        }
      });

      test('test_traceparent_header_name_valid_casing: the header name is case-insensitive', async () => {
        for (const name of ['TraceParent', 'TrAcEpArEnT', 'TRACEPARENT']) await expectContinued([[name, VALID_01]]);
      });

      test('test_traceparent_version_0x00: version 00 with trailing data restarts', async () => {
        await expectRestart(`${VALID_01}.`);
        await expectRestart(`${VALID_01}-what-the-future-will-be-like`);
      });

      test('test_traceparent_version_0xcc: a future version is parsed up to the flags', async () => {
        await expectContinued([['traceparent', `cc-${TRACE_ID}-${PARENT_ID}-01`]]);
        await expectContinued([['traceparent', `cc-${TRACE_ID}-${PARENT_ID}-01-what-the-future-will-be-like`]]);
        await expectRestart(`cc-${TRACE_ID}-${PARENT_ID}-01.what-the-future-will-be-like`);
      });

      test('test_traceparent_version_0xff: version ff restarts', async () => {
        await expectRestart(`ff-${TRACE_ID}-${PARENT_ID}-01`);
      });

      test('test_traceparent_version_illegal_characters: restarts', async () => {
        await expectRestart(`.0-${TRACE_ID}-${PARENT_ID}-01`);
        await expectRestart(`0.-${TRACE_ID}-${PARENT_ID}-01`);
      });

      test('test_traceparent_version_too_long: restarts', async () => {
        await expectRestart(`000-${TRACE_ID}-${PARENT_ID}-01`);
        await expectRestart(`0000-${TRACE_ID}-${PARENT_ID}-01`);
      });

      test('test_traceparent_version_too_short: restarts', async () => {
        await expectRestart(`0-${TRACE_ID}-${PARENT_ID}-01`);
      });

      test('test_traceparent_trace_id_all_zero: restarts with a non-zero trace id', async () => {
        await expectRestart(`00-${'0'.repeat(32)}-${PARENT_ID}-01`, '0'.repeat(32));
      });

      test('test_traceparent_trace_id_illegal_characters: restarts', async () => {
        await expectRestart(`00-.2345678901234567890123456789012-${PARENT_ID}-01`);
        await expectRestart(`00-1234567890123456789012345678901.-${PARENT_ID}-01`);
      });

      test('test_traceparent_trace_id_too_long: restarts, no 32-char window of the id is reused', async () => {
        await expectRestart(`00-123456789012345678901234567890123-${PARENT_ID}-01`, '23456789012345678901234567890123');
      });

      test('test_traceparent_trace_id_too_short: restarts', async () => {
        await expectRestart(`00-1234567890123456789012345678901-${PARENT_ID}-01`);
      });

      test('test_traceparent_parent_id_all_zero: restarts', async () => {
        await expectRestart(`00-${TRACE_ID}-0000000000000000-01`);
      });

      test('test_traceparent_parent_id_illegal_characters: restarts', async () => {
        await expectRestart(`00-${TRACE_ID}-.234567890123456-01`);
        await expectRestart(`00-${TRACE_ID}-123456789012345.-01`);
      });

      test('test_traceparent_parent_id_too_long: restarts', async () => {
        await expectRestart(`00-${TRACE_ID}-12345678901234567-01`);
      });

      test('test_traceparent_parent_id_too_short: restarts', async () => {
        await expectRestart(`00-${TRACE_ID}-123456789012345-01`);
      });

      test('test_traceparent_trace_flags_illegal_characters: restarts', async () => {
        await expectRestart(`00-${TRACE_ID}-${PARENT_ID}-.0`);
        await expectRestart(`00-${TRACE_ID}-${PARENT_ID}-0.`);
      });

      test('test_traceparent_trace_flags_too_long: restarts', async () => {
        await expectRestart(`00-${TRACE_ID}-${PARENT_ID}-001`);
      });

      test('test_traceparent_trace_flags_too_short: restarts', async () => {
        await expectRestart(`00-${TRACE_ID}-${PARENT_ID}-1`);
      });

      test('test_traceparent_ows_handling: spaces and tabs around the value are allowed', async () => {
        for (const value of [` ${VALID_01}`, `\t${VALID_01}`, `${VALID_01} `, `${VALID_01}\t`, `\t ${VALID_01} \t`]) {
          await expectContinued([['traceparent', value]]);
        }
      });

      test('test_tracestate_included_traceparent_missing: tracestate alone is discarded', async () => {
        const first = await single([['tracestate', 'foo=1']]);
        const second = await single([['tracestate', 'foo=1,bar=2']]);
        expect(first.tracestate.size).toBe(second.tracestate.size);
        expect(first.tracestate.has('foo')).toBe(false);
      });

      test('test_tracestate_included_traceparent_included: tracestate is inherited', async () => {
        const { traceparent, tracestate } = await single([
          ['traceparent', VALID_00],
          ['tracestate', 'foo=1,bar=2'],
        ]);
        expect(traceparent.traceId).toBe(TRACE_ID);
        expect(tracestate.get('foo')).toBe('1');
        expect(tracestate.get('bar')).toBe('2');
      });

      test('test_tracestate_header_name: trace-state and trace.state are not tracestate', async () => {
        for (const name of ['trace-state', 'trace.state']) {
          const { tracestate } = await single([
            ['traceparent', VALID_00],
            [name, 'foo=1'],
          ]);
          expect(tracestate.has('foo')).toBe(false);
        }
      });

      test('test_tracestate_header_name_valid_casing: the header name is case-insensitive', async () => {
        for (const name of ['TraceState', 'TrAcEsTaTe', 'TRACESTATE']) {
          const { tracestate } = await single([
            ['traceparent', VALID_00],
            [name, 'foo=1'],
          ]);
          expect(tracestate.get('foo')).toBe('1');
        }
      });

      test('test_tracestate_empty_header: empty tracestate fields are accepted and not sent', async () => {
        const empty = await single([
          ['traceparent', VALID_00],
          ['tracestate', ''],
        ]);
        expect(empty.traceparent.traceId).toBe(TRACE_ID);
        expect(empty.tracestate.size).toBe(0);
        for (const fields of [
          ['foo=1', ''],
          ['', 'foo=1'],
        ]) {
          const { traceparent, tracestate } = await single([
            ['traceparent', VALID_00],
            ...fields.map((value): HeaderField => ['tracestate', value]),
          ]);
          expect(traceparent.traceId).toBe(TRACE_ID);
          expect(tracestate.get('foo')).toBe('1');
        }
      });

      test('test_tracestate_multiple_headers_different_keys: fields are combined in order', async () => {
        const { traceparent, tracestate } = await single([
          ['traceparent', VALID_00],
          ['tracestate', 'foo=1,bar=2'],
          ['tracestate', 'rojo=1,congo=2'],
          ['tracestate', 'baz=3'],
        ]);
        expect(traceparent.traceId).toBe(TRACE_ID);
        expect(serialized(tracestate)).toBe('foo=1,bar=2,rojo=1,congo=2,baz=3');
      });

      test('test_tracestate_duplicated_keys: the header is inherited with one of the duplicates', async () => {
        const cases: Array<[string[], string[]]> = [
          [['foo=1,foo=1'], ['1']],
          [['foo=1,foo=2'], ['1', '2']],
          [['foo=1', 'foo=1'], ['1']],
          [['foo=1', 'foo=2'], ['1', '2']],
        ];
        for (const [fields, allowed] of cases) {
          const { traceparent, tracestate } = await single([
            ['traceparent', VALID_00],
            ...fields.map((value): HeaderField => ['tracestate', value]),
          ]);
          expect(traceparent.traceId).toBe(TRACE_ID);
          expect(allowed).toContain(tracestate.get('foo'));
        }
      });

      test('test_tracestate_all_allowed_characters: every legal key and value char survives', async () => {
        const lcalpha = String.fromCharCode(...Array.from({ length: 26 }, (_, i) => 0x61 + i));
        const keyWithoutVendor = `${lcalpha}0123456789_-*/`;
        const keyWithVendor = `${keyWithoutVendor}@a-z0-9_-*/`;
        const range = (from: number, to: number): string =>
          String.fromCharCode(...Array.from({ length: to - from + 1 }, (_, i) => from + i));
        const value = range(0x20, 0x2b) + range(0x2d, 0x3c) + range(0x3e, 0x7e);
        for (const key of [keyWithoutVendor, keyWithVendor]) {
          const { tracestate } = await single([
            ['traceparent', VALID_00],
            ['tracestate', `${key}=${value}`],
          ]);
          expect(tracestate.get(key)).toBe(value);
        }
      });

      test('test_tracestate_ows_handling: whitespace around members is ignored', async () => {
        for (const value of ['foo=1 \t , \t bar=2, \t baz=3', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3']) {
          const { tracestate } = await single([
            ['traceparent', VALID_00],
            ['tracestate', value],
          ]);
          expect(serialized(tracestate)).toBe('foo=1,bar=2,baz=3');
        }
        for (const value of [' foo=1', '\tfoo=1', 'foo=1 ', 'foo=1\t', '\t foo=1 \t']) {
          const { traceparent, tracestate } = await single([
            ['traceparent', VALID_00],
            ['tracestate', value],
          ]);
          expect(traceparent.traceId).toBe(TRACE_ID);
          expect(tracestate.get('foo')).toBe('1');
        }
      });

      test('test_tracestate_key_illegal_characters: the header is discarded', async () => {
        for (const [value, key] of [
          ['foo =1', 'foo '],
          ['FOO=1', 'FOO'],
          ['foo.bar=1', 'foo.bar'],
        ]) {
          const { tracestate } = await single([
            ['traceparent', VALID_00],
            ['tracestate', value],
          ]);
          expect(tracestate.has(key)).toBe(false);
          expect(tracestate.size).toBe(0);
        }
      });

      test('test_tracestate_key_illegal_vendor_format: @ inside keys is fine, a leading @ is not', async () => {
        for (const key of ['foo@', 'foo@@bar', 'foo@bar@baz']) {
          const { tracestate } = await single([
            ['traceparent', VALID_00],
            ['tracestate', `${key}=1,bar=2`],
          ]);
          expect(tracestate.get(key)).toBe('1');
          expect(tracestate.get('bar')).toBe('2');
        }
        const { tracestate } = await single([
          ['traceparent', VALID_00],
          ['tracestate', '@foo=1,bar=2'],
        ]);
        expect(tracestate.has('bar')).toBe(false);
      });

      test('test_tracestate_member_count_limit: 32 members pass, 33 discard the header', async () => {
        const members = Array.from({ length: 33 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${String(i + 1).padStart(2, '0')}`);
        const split = (list: string[]): HeaderField[] => [
          ['tracestate', list.slice(0, 10).join(',')],
          ['tracestate', list.slice(10, 20).join(',')],
          ['tracestate', list.slice(20, 30).join(',')],
          ['tracestate', list.slice(30).join(',')],
        ];
        const kept = await single([['traceparent', VALID_00], ...split(members.slice(0, 32))]);
        expect(kept.tracestate.get('bar01')).toBe('01');
        expect(kept.tracestate.size).toBe(32);
        const dropped = await single([['traceparent', VALID_00], ...split(members)]);
        expect(dropped.tracestate.has('bar01')).toBe(false);
      });

      test('test_tracestate_key_length_limit: keys up to 256 chars, @ anywhere after the first', async () => {
        for (const key of ['z'.repeat(256), `${'t'.repeat(241)}@${'v'.repeat(14)}`, `${'t'.repeat(242)}@v`, `t@${'v'.repeat(15)}`]) {
          const { tracestate } = await single([
            ['traceparent', VALID_00],
            ['tracestate', 'foo=1'],
            ['tracestate', `${key}=1`],
          ]);
          expect(tracestate.get('foo')).toBe('1');
          expect(tracestate.get(key)).toBe('1');
        }
        const { tracestate } = await single([
          ['traceparent', VALID_00],
          ['tracestate', 'foo=1'],
          ['tracestate', `${'z'.repeat(257)}=1`],
        ]);
        expect(tracestate.has('foo')).toBe(false);
      });

      test('test_tracestate_value_illegal_characters: the header is discarded', async () => {
        const first = await single([
          ['traceparent', VALID_00],
          ['tracestate', 'foo=bar=baz'],
        ]);
        expect(first.tracestate.has('foo')).toBe(false);
        const second = await single([
          ['traceparent', VALID_00],
          ['tracestate', 'foo=,bar=3'],
        ]);
        expect(second.tracestate.has('foo')).toBe(false);
        expect(second.tracestate.has('bar')).toBe(false);
      });
    });

    describe('AdvancedTest', () => {
      test('test_multiple_requests_with_valid_traceparent: one trace id, three parent ids', async () => {
        const calls = (await transport.hop([['traceparent', VALID_01]], 3)).map(readTraceparent);
        expect(new Set(calls.map((c) => c.traceId))).toEqual(new Set([TRACE_ID]));
        expect(new Set(calls.map((c) => c.parentId)).size).toBe(3);
      });

      test('test_multiple_requests_without_traceparent: three parent ids', async () => {
        const calls = (await transport.hop([], 3)).map(readTraceparent);
        expect(new Set(calls.map((c) => c.parentId)).size).toBe(3);
      });

      test('test_multiple_requests_with_illegal_traceparent: new trace, three parent ids', async () => {
        const calls = (await transport.hop([['traceparent', `00-${'0'.repeat(32)}-${PARENT_ID}-01`]], 3)).map(readTraceparent);
        expect(calls.map((c) => c.traceId)).not.toContain('0'.repeat(32));
        expect(new Set(calls.map((c) => c.parentId)).size).toBe(3);
      });
    });

    describe('TraceContext2Test', () => {
      test('test_propagates_random_flag: the random flag (0x02) is kept', async () => {
        const { traceparent } = await single([['traceparent', `00-${TRACE_ID}-${PARENT_ID}-02`]]);
        expect(traceparent.traceId).toBe(TRACE_ID);
        expect(traceparent.parentId).not.toBe(PARENT_ID);
        expect(traceparent.flags & 0x02).toBe(0x02);
      });
    });
  });
}
