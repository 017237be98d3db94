import type { SpanContext } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord } from '../../src/model';
import { ATTR_SPAN_INCOMPLETE, recordToReadableSpan } from '../../src/pipeline/record-span';
import { ParentBasedSampler } from '../../src/pipeline/sampling/parent-based-sampler';
import { ConsistentProbabilitySampler } from '../../src/pipeline/sampling/consistent-probability-sampler';
import { markTrustedCaller } from '../../src/pipeline/sampling/trusted-caller';
import { openRecordWithFacts, openSpanRecord, parentSpanContextOf, recordToCarrier, validateRecord } from '../../src/pipeline/span-record';

class FixedIds implements IdGenerator {
  private span = 0;
  generateTraceId(): string {
    return '11111111111111112222222222222222';
  }
  generateSpanId(): string {
    this.span++;
    return this.span.toString(16).padStart(16, 'a');
  }
}

const opener = (sampler = new ParentBasedSampler({ root: new ConsistentProbabilitySampler(1) })) => ({ sampler, idGenerator: new FixedIds(), randomTraceIds: true });
const CALLER = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'congo=t61rcWkgMzE' };

describe('openSpanRecord', () => {
  test('a root record: new trace id from the generator, sampled and random flags, threshold, given start time', () => {
    const record = openSpanRecord({ name: 'flow', kind: 'server', startTime: [1_700_000_000, 5], attributes: { a: 1 } }, opener());
    expect(record).toEqual({
      v: 1,
      traceId: '11111111111111112222222222222222',
      spanId: 'aaaaaaaaaaaaaaa1',
      traceFlags: 0x03,
      tracestate: 'ot=th:0',
      name: 'flow',
      kind: 'server',
      startTimeUnixNano: '1700000000000000005',
      attributes: { a: 1 },
    });
  });

  test('under a carrier: the caller is the parent, its flags and tracestate are kept', () => {
    const record = openSpanRecord({ name: 'step', parent: CALLER }, opener());
    expect(record).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      traceFlags: 0x01,
      tracestate: 'congo=t61rcWkgMzE',
      kind: 'internal',
    });
  });

  test('under a live SpanContext', () => {
    const parent: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0x03 };
    const record = openSpanRecord({ name: 'child', parent }, opener());
    expect(record).toMatchObject({ traceId: parent.traceId, parentSpanId: parent.spanId, traceFlags: 0x03 });
  });

  test('an invalid traceparent restarts the trace and drops the tracestate', () => {
    const record = openSpanRecord({ name: 'x', parent: { traceparent: '00-zzzz-b7ad6b7169203331-01', tracestate: 'a=b' } }, opener());
    expect(record.traceId).toBe('11111111111111112222222222222222');
    expect(record.parentSpanId).toBeUndefined();
    expect(record.tracestate).toBe('ot=th:0');
  });

  test('an unsampled record still has valid ids, so children propagate', () => {
    const record = openSpanRecord({ name: 'quiet' }, opener(new ParentBasedSampler({ root: new AlwaysOffSampler() })));
    expect(validateRecord(record)).toEqual([]);
    expect(record.traceFlags & TraceFlags.SAMPLED).toBe(0);
    expect(recordToCarrier(record)).toEqual({ traceparent: `00-${record.traceId}-${record.spanId}-02` });
  });

  test('the sampling decision uses the given context (trust) and the start attributes', () => {
    const limited = () => ({ ...opener(new ParentBasedSampler({ root: new AlwaysOffSampler(), maxInboundSampledPerSecond: 0 })) });
    expect(openSpanRecord({ name: 'x', parent: CALLER }, limited()).traceFlags & 1).toBe(0);
    expect(openSpanRecord({ name: 'x', parent: CALLER, context: markTrustedCaller(ROOT_CONTEXT) }, limited()).traceFlags & 1).toBe(1);
  });

  test('bad options never throw: a missing name and an unknown kind get defaults', () => {
    const record = openSpanRecord({ name: '', kind: 'weird' as never, startTime: Number.NaN }, opener());
    expect(record.name).toBe('span');
    expect(record.kind).toBe('internal');
    expect(validateRecord(record)).toEqual([]);
  });

  test('a record is plain data: it survives a JSON round trip unchanged', () => {
    const record = openSpanRecord({ name: 'json', parent: CALLER, attributes: { list: ['a', 'b'], flag: true }, scope: { name: 'node-red', version: '4' } }, opener());
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  test('a child of a vouched parent is decided without a Context when the sampler can; otherwise with one', () => {
    const root = openRecordWithFacts({ name: 'flow', parent: CALLER }, opener());
    const calls: string[] = [];
    const inner = new ParentBasedSampler({ root: new ConsistentProbabilitySampler(1) });
    const sampler = {
      shouldSample: (...args: Parameters<ParentBasedSampler['shouldSample']>) => (calls.push('shouldSample'), inner.shouldSample(...args)),
      shouldSampleLocalChild: (parent: SpanContext, traceId: string) => (calls.push('local'), inner.shouldSampleLocalChild(parent, traceId)),
    };
    const child = openRecordWithFacts({ name: 'step' }, opener(sampler as unknown as ParentBasedSampler), root).record;
    expect(calls).toEqual(['local']);
    expect(child).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId, traceFlags: root.traceFlags, tracestate: root.tracestate });
    // a context of the caller's (e.g. a trusted caller) goes to shouldSample with the parent in it
    openRecordWithFacts({ name: 'step', context: markTrustedCaller(ROOT_CONTEXT) }, opener(sampler as unknown as ParentBasedSampler), root);
    expect(calls).toEqual(['local', 'shouldSample']);
  });
});

describe('validateRecord', () => {
  const valid = openSpanRecord({ name: 'ok' }, opener());

  test('a record from openSpanRecord is valid', () => {
    expect(validateRecord(valid)).toEqual([]);
  });

  test.each([
    [null, 'record: expected an object'],
    [{ ...valid, v: 2 }, 'record.v'],
    [{ ...valid, traceId: '0'.repeat(32) }, 'record.traceId'],
    [{ ...valid, spanId: 'ABCDEFABCDEFABCD' }, 'record.spanId'],
    [{ ...valid, parentSpanId: 'short' }, 'record.parentSpanId'],
    [{ ...valid, traceFlags: 256 }, 'record.traceFlags'],
    [{ ...valid, name: '' }, 'record.name'],
    [{ ...valid, kind: 'sideways' }, 'record.kind'],
    [{ ...valid, startTimeUnixNano: 1700000000 }, 'record.startTimeUnixNano'],
    [{ ...valid, attributes: [] }, 'record.attributes'],
    [{ ...valid, events: [{ name: 'e' }] }, 'record.events[0]'],
    [{ ...valid, scope: 'x' }, 'record.scope'],
  ])('%#: names the field', (record, field) => {
    expect(validateRecord(record)).toEqual([expect.stringContaining(field)]);
  });
});

describe('recordToReadableSpan', () => {
  const resource = resourceFromAttributes({ 'service.name': 'svc' });
  const scope = { name: 'default' };
  const record: SpanRecord = {
    v: 1,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'aaaaaaaaaaaaaaa1',
    parentSpanId: 'b7ad6b7169203331',
    traceFlags: 3,
    tracestate: 'ot=th:0,x=y',
    name: 'step',
    kind: 'client',
    startTimeUnixNano: '1700000000123456789',
    attributes: { a: 'b' },
    events: [{ name: 'received', timeUnixNano: '1700000000200000000', attributes: { n: 1 } }],
  };

  test('exactly the record ids, flags, tracestate and start time', () => {
    const span = recordToReadableSpan(record, { endTime: [1_700_000_001, 0] }, resource, scope);
    expect(span.spanContext()).toMatchObject({ traceId: record.traceId, spanId: record.spanId, traceFlags: 3 });
    expect(span.spanContext().traceState?.serialize()).toBe('ot=th:0,x=y');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span.startTime).toEqual([1_700_000_000, 123_456_789]);
    expect(span.duration).toEqual([0, 876_543_211]);
    expect(span.kind).toBe(2);
    expect(span.events).toEqual([{ name: 'received', time: [1_700_000_000, 200_000_000], attributes: { n: 1 }, droppedAttributesCount: 0 }]);
    expect(span.instrumentationScope).toBe(scope);
  });

  test('an error becomes an exception event, error.type and an error status', () => {
    class PaymentDeclined extends Error {}
    const span = recordToReadableSpan(record, { endTime: [1_700_000_001, 0], error: new PaymentDeclined('card declined') }, resource, scope);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'card declined' });
    expect(span.attributes['error.type']).toBe('PaymentDeclined');
    expect(span.events[1]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'PaymentDeclined', 'exception.message': 'card declined' } });
  });

  test('odd error values never throw', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const error of ['text', 42, circular, { code: 'ETIMEDOUT', message: 'slow' }]) {
      expect(() => recordToReadableSpan(record, { endTime: [1_700_000_001, 0], error }, resource, scope)).not.toThrow();
    }
  });

  test('spans of records with the same scope share one scope object (the encoder groups a batch by it)', () => {
    const scoped = (version?: string): SpanRecord => ({ ...record, events: undefined, scope: version === undefined ? { name: 'nodes' } : { name: 'nodes', version } });
    const [a, b, c] = [scoped(), scoped(), scoped('2')].map((r) => recordToReadableSpan(r, { endTime: [1_700_000_001, 0] }, resource, scope));
    expect(a!.instrumentationScope).toBe(b!.instrumentationScope);
    expect(a!.instrumentationScope).toEqual({ name: 'nodes' });
    expect(c!.instrumentationScope).toEqual({ name: 'nodes', version: '2' });
    expect(a!.events).toEqual([]);
    expect(a!.links).toEqual([]);
    expect(a!.status).toEqual({ code: SpanStatusCode.UNSET });
  });

  test('incomplete marks the span; an end before the start is clamped to the start', () => {
    const span = recordToReadableSpan(record, { endTime: [1, 0], incomplete: true }, resource, scope);
    expect(span.attributes[ATTR_SPAN_INCOMPLETE]).toBe(true);
    expect(span.endTime).toEqual(span.startTime);
  });
});

describe('parentSpanContextOf', () => {
  test('strict traceparent parsing: uppercase hex is invalid', () => {
    expect(parentSpanContextOf({ traceparent: '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01' })).toBeUndefined();
  });

  test('unknown flag bits are not carried over', () => {
    expect(parentSpanContextOf({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-ff' })?.traceFlags).toBe(0x03);
  });

  test('a malformed tracestate is dropped without touching the traceparent', () => {
    const parent = parentSpanContextOf({ traceparent: CALLER.traceparent, tracestate: 'BAD KEY=1' });
    expect(parent?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parent?.traceState).toBeUndefined();
  });

  test('an invalid SpanContext is no parent', () => {
    expect(parentSpanContextOf({ traceId: '0'.repeat(32), spanId: 'b7ad6b7169203331', traceFlags: 1 })).toBeUndefined();
    expect(parentSpanContextOf(undefined)).toBeUndefined();
    expect(parentSpanContextOf(null as never)).toBeUndefined();
  });
});
