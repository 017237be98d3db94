// ACCEPTANCE: spans made through createPipeline reach a real OTLP/HTTP receiver process with the
// right trace and parent ids, resource and semantic-convention attributes, over http/protobuf and
// http/json, with and without gzip.
import type { Context } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { createPipeline } from '../../connectors/src/pipeline';
import type { Pipeline } from '../../connectors/src/pipeline';
import type { OtlpProtocol } from '../../connectors/src/config/types';
import { pipelineConfig } from '../support/otlp-pipeline-config';
import { startReceiver } from '../support/otlp-receiver-client';
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';

jest.setTimeout(30_000);

const REMOTE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_PARENT_ID = '00f067aa0ba902b7';

let receiver: Receiver;
let pipeline: Pipeline | undefined;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  await receiver.clear();
});

afterAll(async () => {
  await receiver.stop();
});

function remoteParent(): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: REMOTE_TRACE_ID,
    spanId: REMOTE_PARENT_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span named "${name}" among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

const cases: [OtlpProtocol, 'none' | 'gzip', string][] = [
  ['http/protobuf', 'none', 'application/x-protobuf'],
  ['http/json', 'none', 'application/json'],
  ['http/protobuf', 'gzip', 'application/x-protobuf'],
  ['http/json', 'gzip', 'application/json'],
];

describe.each(cases)('over %s, compression %s', (protocol, compression, contentType) => {
  test('a server span, its client child and a span record arrive as one trace, enriched and redacted', async () => {
    pipeline = createPipeline(
      pipelineConfig({
        service: { name: 'orders', version: '1.4.2', namespace: 'shop', environment: 'test', attributes: { 'team.name': 'checkout' } },
        exporter: { protocol, compression, tracesEndpoint: receiver.url, headers: { 'x-tenant': 'acme' } },
      }),
    );
    const server = pipeline.getTracer('orders-http', '2.0.0').startSpan(
      'GET /orders/:id',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/orders/:id',
          'url.full': 'https://alice:secret@shop.example/orders/7?sig=abc123&page=2',
          'http.response.status_code': 200,
        },
      },
      remoteParent(),
    );
    const serverContext = trace.setSpan(remoteParent(), server);
    const client = pipeline.tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } }, serverContext);
    client.addEvent('rows', { count: 3 });
    client.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock' });
    client.end();

    const record = pipeline.openRecord({ name: 'flow step', kind: 'internal', parent: server.spanContext(), scope: { name: 'node-red', version: '4.0.0' } });
    expect(pipeline.endRecord(record, { attributes: { 'flow.node': 'switch' } })).toEqual({ outcome: 'queued' });
    server.end();

    await pipeline.forceFlush();
    const spans = await receiver.waitForSpans((all) => all.length >= 3);
    expect(spans).toHaveLength(3);
    for (const span of spans) {
      expect(span.traceId).toBe(REMOTE_TRACE_ID);
      expect(span.resource).toMatchObject({
        'service.name': 'orders',
        'service.version': '1.4.2',
        'service.namespace': 'shop',
        'deployment.environment.name': 'test',
        'team.name': 'checkout',
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.name': 'opentelemetry',
      });
      // The caller sent no threshold, so parent-based sampling must not invent one.
      expect(span.traceState).toBeUndefined();
      expect(span.flags & 0xff & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    }

    const serverSpan = byName(spans, 'GET /orders/:id');
    expect(serverSpan.spanId).toBe(server.spanContext().spanId);
    expect(serverSpan.parentSpanId).toBe(REMOTE_PARENT_ID);
    expect(serverSpan.kind).toBe(2);
    expect(serverSpan.scope).toEqual({ name: 'orders-http', version: '2.0.0' });
    expect(serverSpan.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'url.full': 'https://REDACTED:REDACTED@shop.example/orders/7?sig=REDACTED&page=2',
      'http.response.status_code': 200,
      // The strict default rules record what they redacted: counts and key names, never values.
      'threadline.redaction.count': 1,
      'threadline.redaction.keys': ['url.full'],
    });

    const clientSpan = byName(spans, 'SELECT orders');
    expect(clientSpan.parentSpanId).toBe(serverSpan.spanId);
    expect(clientSpan.kind).toBe(3);
    expect(clientSpan.status).toEqual({ code: 2, message: 'deadlock' });
    expect(clientSpan.events).toEqual([expect.objectContaining({ name: 'rows', attributes: { count: 3 } })]);
    expect(clientSpan.scope).toEqual({ name: '@threadline/connectors' });
    expect(BigInt(clientSpan.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(clientSpan.startTimeUnixNano));

    const recordSpan = byName(spans, 'flow step');
    expect(recordSpan.spanId).toBe(record.spanId);
    expect(recordSpan.parentSpanId).toBe(serverSpan.spanId);
    expect(recordSpan.startTimeUnixNano).toBe(record.startTimeUnixNano);
    expect(recordSpan.kind).toBe(1);
    expect(recordSpan.scope).toEqual({ name: 'node-red', version: '4.0.0' });
    expect(recordSpan.attributes).toEqual({ 'flow.node': 'switch' });

    const requests = await receiver.requests();
    expect(requests.length).toBeGreaterThanOrEqual(1);
    for (const request of requests) {
      expect(request.status).toBe(200);
      expect(request.contentType).toBe(contentType);
      expect(request.contentEncoding).toBe(compression === 'gzip' ? 'gzip' : 'identity');
      expect(request.headers['x-tenant']).toBe('acme');
    }
    expect(pipeline.stats()).toEqual({ queued: 0, exported: 3, dropped: 0, failed: 0, exportErrors: 0, redactionFailures: 0 });
  });
});

test('a root span carries its sampling threshold in tracestate (ot=th:0 at 100 %)', async () => {
  pipeline = createPipeline(pipelineConfig({ exporter: { tracesEndpoint: receiver.url } }));
  pipeline.tracer.startSpan('root').end();
  await pipeline.forceFlush();
  const [span] = await receiver.waitForSpans(1);
  expect(span.name).toBe('root');
  expect(span.parentSpanId).toBeUndefined();
  expect(span.traceState).toBe('ot=th:0');
});

test('a 503 from the collector is retried with backoff and the batch arrives once it recovers', async () => {
  await receiver.respondWith({ status: 503, times: 2 });
  pipeline = createPipeline(
    pipelineConfig({
      exporter: { tracesEndpoint: receiver.url, timeoutMillis: 500, retry: { maxAttempts: 5, initialBackoffMillis: 30, maxBackoffMillis: 100 } },
    }),
  );
  pipeline.tracer.startSpan('retried').end();
  await pipeline.forceFlush();
  const spans = await receiver.waitForSpans(1);
  expect(spans.map((span) => span.name)).toEqual(['retried']);
  const statuses = (await receiver.requests()).map((request) => request.status);
  expect(statuses).toEqual([503, 503, 200]);
  expect(pipeline.stats()).toMatchObject({ exported: 1, failed: 0, exportErrors: 2, queued: 0 });
  await receiver.respondWith({});
});

test('a final HTTP error is not retried and names the status', async () => {
  await receiver.respondWith({ status: 400 });
  pipeline = createPipeline(pipelineConfig({ exporter: { tracesEndpoint: receiver.url, timeoutMillis: 500 } }));
  pipeline.tracer.startSpan('rejected').end();
  await pipeline.forceFlush();
  expect((await receiver.requests()).map((request) => request.status)).toEqual([400]);
  const stats = pipeline.stats();
  expect(stats).toMatchObject({ exported: 0, failed: 1, exportErrors: 1, queued: 0 });
  expect(stats.lastExportError).toMatch(/HTTP 400/);
  await receiver.respondWith({});
});
