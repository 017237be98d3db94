// The test receiver itself: its protobuf reader and its JSON reader must agree on every span
// OpenTelemetry's serializers produce, and the receiver process must answer like a collector.
import * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { createTraceState } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DecodeError, decodeJsonRequest, decodeProtobufRequest } from '../support/otlp-decode';
import { startReceiver } from '../support/otlp-receiver-client';
import type { Receiver } from '../support/otlp-receiver-client';

jest.setTimeout(30_000);

function span(name: string, attributes: Attributes, extra: Partial<ReadableSpan> = {}): ReadableSpan {
  const context = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED | 0x02, traceState: createTraceState('ot=th:8,x=y') };
  return {
    name,
    kind: SpanKind.PRODUCER,
    spanContext: () => context,
    parentSpanContext: { traceId: context.traceId, spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true },
    startTime: [1_700_000_000, 123_456_789],
    endTime: [1_700_000_001, 987_654_321],
    status: { code: SpanStatusCode.ERROR, message: 'boom' },
    attributes,
    links: [{ context: { traceId: 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb', spanId: 'cccccccccccccccc', traceFlags: 1, traceState: createTraceState('l=1') }, attributes: { why: 'batch' } }],
    events: [{ name: 'exception', time: [1_700_000_001, 5], attributes: { 'exception.message': 'boom' } }],
    duration: [1, 864_197_532],
    ended: true,
    resource: resourceFromAttributes({ 'service.name': 'svc', 'service.instance.id': 'i-1' }),
    instrumentationScope: { name: 'scope', version: '1.2.3' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...extra,
  };
}

const decodeBoth = (spans: ReadableSpan[]) => ({
  protobuf: decodeProtobufRequest(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array)),
  json: decodeJsonRequest(Buffer.from(JsonTraceSerializer.serializeRequest(spans) as Uint8Array).toString('utf8')),
});

describe('otlp-decode', () => {
  test('protobuf and JSON decode to the same normalised spans', () => {
    const attributes: Attributes = {
      text: 'héllo ✓',
      int: 42,
      negative: -7,
      big: 2 ** 53 - 1,
      double: 3.25,
      yes: true,
      no: false,
      list: ['a', 'b'],
      numbers: [1, 2.5, -3],
      flags: [true, false],
      empty: '',
    };
    const { protobuf, json } = decodeBoth([span('first', attributes), span('second', {}, { kind: SpanKind.SERVER, parentSpanContext: undefined, status: { code: SpanStatusCode.UNSET } })]);
    expect(protobuf).toEqual(json);
    expect(protobuf[0]).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      traceState: 'ot=th:8,x=y',
      flags: 0x303,
      name: 'first',
      kind: 4,
      startTimeUnixNano: '1700000000123456789',
      endTimeUnixNano: '1700000001987654321',
      attributes,
      status: { code: 2, message: 'boom' },
      events: [{ name: 'exception', timeUnixNano: '1700000001000000005', attributes: { 'exception.message': 'boom' } }],
      links: [{ traceId: 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb', spanId: 'cccccccccccccccc', traceState: 'l=1', attributes: { why: 'batch' } }],
      resource: { 'service.name': 'svc', 'service.instance.id': 'i-1' },
      scope: { name: 'scope', version: '1.2.3' },
    });
    expect(protobuf[1]).not.toHaveProperty('parentSpanId');
    expect(protobuf[1].status).toEqual({ code: 0 });
  });

  test('property: any attribute values decode identically from both encodings', () => {
    const value: fc.Arbitrary<AttributeValue> = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
      fc.boolean(),
      fc.array(fc.string(), { maxLength: 4 }),
      fc.array(fc.integer(), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), value, { maxKeys: 6 }), fc.string({ maxLength: 20 }), (attributes, name) => {
        const { protobuf, json } = decodeBoth([span(name, attributes)]);
        expect(protobuf).toEqual(json);
        expect(protobuf[0].attributes).toEqual(attributes);
        expect(protobuf[0].name).toBe(name);
      }),
      { numRuns: 200 },
    );
  });

  test('a truncated protobuf body is a DecodeError, not a crash', () => {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest([span('x', { a: 1 })]) as Uint8Array);
    expect(() => decodeProtobufRequest(body.subarray(0, body.length - 3))).toThrow(DecodeError);
  });

  test('JSON that is not JSON is a DecodeError', () => {
    expect(() => decodeJsonRequest('{nope')).toThrow(DecodeError);
  });
});

describe('the receiver process', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterEach(async () => {
    await receiver.respondWith({});
    await receiver.clear();
  });

  afterAll(async () => {
    await receiver.stop();
  });

  function post(body: Buffer, headers: http.OutgoingHttpHeaders, pathname = '/v1/traces'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: receiver.port, method: 'POST', path: pathname, agent: false, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  const protobufBody = () => Buffer.from(ProtobufTraceSerializer.serializeRequest([span('posted', { k: 'v' })]) as Uint8Array);

  test('accepts gzip-encoded protobuf and stores the spans', async () => {
    const response = await post(gzipSync(protobufBody()), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-protobuf');
    expect((await receiver.spans()).map((s) => s.name)).toEqual(['posted']);
    expect(await receiver.requests()).toEqual([expect.objectContaining({ contentEncoding: 'gzip', spanCount: 1, status: 200 })]);
    expect(await receiver.spans('0af7651916cd43dd8448eb211c80319c')).toHaveLength(1);
    expect(await receiver.spans('ffffffffffffffffffffffffffffffff')).toHaveLength(0);
  });

  test('answers like a collector to bad requests', async () => {
    expect((await post(protobufBody(), { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(protobufBody(), { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' })).status).toBe(415);
    expect((await post(Buffer.from([0x0a, 0x05, 0x01]), { 'content-type': 'application/x-protobuf' })).status).toBe(400);
    expect((await post(Buffer.from('{'), { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post(protobufBody(), { 'content-type': 'application/x-protobuf' }, '/v1/logs')).status).toBe(404);
    expect(await receiver.spans()).toEqual([]);
  });

  test('can be told to answer 503 with Retry-After a number of times, then recovers', async () => {
    await receiver.respondWith({ status: 503, times: 1, retryAfterSeconds: 2 });
    const refused = await post(protobufBody(), { 'content-type': 'application/x-protobuf' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect((await post(protobufBody(), { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect(await receiver.stats()).toEqual({ spans: 1, requests: 2 });
  });

  test('can be told to answer slowly', async () => {
    await receiver.respondWith({ delayMs: 150 });
    const started = Date.now();
    await post(protobufBody(), { 'content-type': 'application/x-protobuf' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('restart brings it back on the same port with an empty store', async () => {
    await post(protobufBody(), { 'content-type': 'application/x-protobuf' });
    const port = receiver.port;
    await receiver.restart();
    expect(receiver.port).toBe(port);
    expect(await receiver.spans()).toEqual([]);
    expect((await post(protobufBody(), { 'content-type': 'application/x-protobuf' })).status).toBe(200);
  });

  test('waitForSpans says how many spans there were when it gives up', async () => {
    await expect(receiver.waitForSpans(5, 100)).rejects.toThrow('(0 spans stored)');
  });
});
