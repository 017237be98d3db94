// The exporter's protobuf encoder must write exactly what OpenTelemetry's ProtobufTraceSerializer
// writes: the same bytes for every kind of span content, with the serializer as the reference.
import type { AttributeValue, Attributes, Link } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, TraceFlags, createTraceState } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import * as fc from 'fast-check';
import { OtlpTraceEncoder } from '../../../src/pipeline/export/otlp-protobuf-encoder';
import { finishedSpan } from '../test-spans';

function reference(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

function encoded(spans: ReadableSpan[], encoder = new OtlpTraceEncoder()): Buffer {
  return Buffer.from(encoder.encode(spans));
}

const RESOURCE = resourceFromAttributes({ 'service.name': 'orders', 'service.version': '1.2.3', 'host.cores': 2 });
const OTHER_RESOURCE = resourceFromAttributes({ 'service.name': 'inventory' });
const SCOPE = { name: '@threadline/connectors', version: '0.1.0', schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' };

function span(overrides: Partial<ReadableSpan> & { traceState?: string; remoteParent?: boolean } = {}): ReadableSpan {
  const base = finishedSpan();
  const context = { ...base.spanContext(), traceFlags: TraceFlags.SAMPLED | 0x02, ...(overrides.traceState ? { traceState: createTraceState(overrides.traceState) } : {}) };
  return {
    ...base,
    kind: SpanKind.SERVER,
    spanContext: () => context,
    parentSpanContext: { traceId: context.traceId, spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: overrides.remoteParent ?? true },
    resource: RESOURCE,
    instrumentationScope: SCOPE,
    startTime: [1_763_792_123, 456_789_012],
    endTime: [1_763_792_123, 999_999_999],
    ...overrides,
  };
}

describe('OtlpTraceEncoder', () => {
  it('writes the bytes of OpenTelemetry’s serializer for a typical HTTP server span', () => {
    const spans = [
      span({
        name: 'GET /orders/*',
        attributes: {
          'http.request.method': 'GET',
          'url.path': '/orders/42',
          'url.scheme': 'http',
          'server.address': '127.0.0.1',
          'server.port': 8080,
          'client.address': '127.0.0.1',
          'network.protocol.version': '1.1',
          'user-agent.original': 'autocannon',
          'http.route': '/orders/*',
          'threadline.route': 'orders',
          'http.response.status_code': 200,
        },
        status: { code: SpanStatusCode.UNSET },
      }),
    ];
    expect(encoded(spans)).toEqual(reference(spans));
  });

  it('covers every value type, events, links, trace state, status messages, kinds and dropped counts', () => {
    const long = 'x'.repeat(300);
    const events: TimedEvent[] = [
      { name: 'exception', time: [1_763_792_124, 1], attributes: { 'exception.type': 'Error', 'exception.message': 'boom ✗' }, droppedAttributesCount: 2 },
      { name: 'no attributes', time: [0, 0] },
    ];
    const links: Link[] = [
      { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true, traceState: createTraceState('vendor=a,ot=th:0') }, attributes: { reason: 'retry' }, droppedAttributesCount: 1 },
      { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b8', traceFlags: 0 } },
    ];
    const spans = [
      span({
        name: 'ünïcødé span 🚀',
        traceState: 'ot=th:8;rv:abcdef01234567,vendor=value',
        remoteParent: false,
        attributes: {
          text: 'plain',
          empty: '',
          unicode: 'Grüße — ☃ — 𝄞',
          loneSurrogate: 'a\ud800b',
          long,
          yes: true,
          no: false,
          zero: 0,
          small: 7,
          negative: -1,
          big: 2 ** 40 + 3,
          hugeNegative: -(2 ** 52),
          fraction: 0.25,
          nan: Number.NaN,
          infinite: Number.POSITIVE_INFINITY,
          strings: ['a', 'b', long],
          numbers: [1, 2.5, -3],
          mixed: ['a', 1, true, null, undefined] as unknown as AttributeValue,
          bytes: new Uint8Array([0, 1, 254, 255]) as unknown as AttributeValue,
          nested: { inner: 'value', deeper: { n: 1 } } as unknown as AttributeValue,
        },
        events,
        links,
        status: { code: SpanStatusCode.ERROR, message: 'upstream timed out' },
        droppedAttributesCount: 3,
        droppedEventsCount: 4,
        droppedLinksCount: 5,
      }),
      span({ kind: SpanKind.CLIENT, parentSpanContext: undefined, status: { code: SpanStatusCode.OK, message: '' } }),
      span({ kind: SpanKind.INTERNAL }),
      span({ kind: undefined as unknown as SpanKind }),
    ];
    expect(encoded(spans)).toEqual(reference(spans));
  });

  it('groups spans by Resource and scope object in first-seen order, with schema URLs', () => {
    const otherScope = { name: 'other' };
    const spans = [
      span(),
      span({ resource: OTHER_RESOURCE }),
      span({ instrumentationScope: otherScope }),
      span({ resource: OTHER_RESOURCE, instrumentationScope: otherScope }),
      span(),
    ];
    expect(encoded(spans)).toEqual(reference(spans));
  });

  it('grows past its first buffer and writes multi-byte lengths, and reuses the buffer across batches', () => {
    const encoder = new OtlpTraceEncoder();
    const big = span({ attributes: { body: 'é'.repeat(50_000), other: 'z'.repeat(20_000) } });
    const many = Array.from({ length: 600 }, (_, index) => span({ attributes: { index, path: `/orders/${index}` } }));
    expect(encoded([big], encoder)).toEqual(reference([big]));
    expect(encoded(many, encoder)).toEqual(reference(many));
    const small = [span()];
    expect(encoded(small, encoder)).toEqual(reference(small));
  });

  it('matches the reference for random attributes and times', () => {
    const value: fc.Arbitrary<AttributeValue> = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ maxLength: 200 }),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.maxSafeInteger(),
      fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
      fc.array(fc.double(), { maxLength: 5 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), value, { maxKeys: 12 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 999_999_999 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        (attributes: Attributes, seconds, nanos, name) => {
          const spans = [span({ name, attributes, startTime: [seconds, nanos], endTime: [seconds, nanos] })];
          expect(encoded(spans)).toEqual(reference(spans));
        },
      ),
      { numRuns: 300 },
    );
  });
});
