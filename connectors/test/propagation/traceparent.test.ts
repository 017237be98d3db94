import { FLAG_RANDOM, FLAG_SAMPLED, formatTraceparent, parseTraceparent } from '../../src/propagation';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('parseTraceparent', () => {
  test('parses a version 00 value', () => {
    expect(parseTraceparent(VALID)).toEqual({ version: 0, traceId: TRACE_ID, parentId: SPAN_ID, traceFlags: 1 });
  });

  test('keeps the whole flags byte as received', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-ff`)?.traceFlags).toBe(0xff);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-03`)?.traceFlags).toBe(FLAG_SAMPLED | FLAG_RANDOM);
  });

  test('allows spaces and tabs around the value, nothing else', () => {
    expect(parseTraceparent(` \t${VALID}\t `)?.traceId).toBe(TRACE_ID);
    expect(parseTraceparent(`\n${VALID}`)).toBeUndefined();
    expect(parseTraceparent(`${VALID}\r`)).toBeUndefined();
    expect(parseTraceparent(`${VALID}\u00a0`)).toBeUndefined();
  });

  test('a one-element array is one field; more fields are invalid, never the first one', () => {
    expect(parseTraceparent([VALID])?.traceId).toBe(TRACE_ID);
    expect(parseTraceparent([VALID, VALID])).toBeUndefined();
    expect(parseTraceparent([])).toBeUndefined();
  });

  test('rejects uppercase hex anywhere', () => {
    expect(parseTraceparent(`00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE_ID}-00F067AA0BA902B7-01`)).toBeUndefined();
    expect(parseTraceparent(`0A-${TRACE_ID}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-0A`)).toBeUndefined();
  });

  test('rejects version ff and version 00 with anything after the flags', () => {
    expect(parseTraceparent(`ff-${TRACE_ID}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceparent(`${VALID}-`)).toBeUndefined();
    expect(parseTraceparent(`${VALID}-00`)).toBeUndefined();
  });

  test('a higher version: at least 55 chars, flags followed by the end or a dash', () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01`)).toEqual({ version: 1, traceId: TRACE_ID, parentId: SPAN_ID, traceFlags: 1 });
    expect(parseTraceparent(`fe-${TRACE_ID}-${SPAN_ID}-01-anything at all, even ü`)?.version).toBe(0xfe);
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01x`)).toBeUndefined();
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-1`)).toBeUndefined();
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}`)).toBeUndefined();
  });

  test('rejects all-zero ids, wrong lengths and misplaced dashes', () => {
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE_ID}-${'0'.repeat(16)}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE_ID}0-${SPAN_ID.slice(1)}-01`)).toBeUndefined();
    expect(parseTraceparent(`00_${TRACE_ID}-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE_ID}_${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}_01`)).toBeUndefined();
  });

  test('anything that is not a string is invalid, without throwing', () => {
    for (const value of [undefined, null, 42, {}, [42], [undefined]]) {
      expect(parseTraceparent(value as never)).toBeUndefined();
    }
    expect(parseTraceparent('')).toBeUndefined();
  });
});

describe('formatTraceparent', () => {
  test('always version 00 and only the sampled and random flags', () => {
    for (const [flags, suffix] of [
      [0x00, '00'],
      [0x01, '01'],
      [0x02, '02'],
      [0x03, '03'],
      [0xff, '03'],
      [0x04, '00'],
      [0x81, '01'],
    ] as const) {
      expect(formatTraceparent({ traceId: TRACE_ID, parentId: SPAN_ID, traceFlags: flags })).toBe(`00-${TRACE_ID}-${SPAN_ID}-${suffix}`);
    }
  });

  test('re-emits a higher version as 00', () => {
    const parsed = parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-future`);
    expect(parsed && formatTraceparent(parsed)).toBe(VALID);
  });

  test('refuses ids that would make an invalid header', () => {
    expect(formatTraceparent({ traceId: TRACE_ID.toUpperCase(), parentId: SPAN_ID, traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: '0'.repeat(32), parentId: SPAN_ID, traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: TRACE_ID, parentId: '0'.repeat(16), traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: TRACE_ID.slice(1), parentId: SPAN_ID, traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent(null as never)).toBeUndefined();
    expect(formatTraceparent({ traceId: 7, parentId: SPAN_ID, traceFlags: 1 } as never)).toBeUndefined();
  });

  test('a non-numeric flags value is emitted as 00', () => {
    expect(formatTraceparent({ traceId: TRACE_ID, parentId: SPAN_ID, traceFlags: NaN })).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });
});
