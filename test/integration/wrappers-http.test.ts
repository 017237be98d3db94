// Acceptance tests for the HTTP wrappers against real servers on loopback: a plain node http
// upstream that records every traceparent it receives, a real express app, and axios and fetch
// calling them through the wrappers.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { Readable } from 'node:stream';
import type { Span } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import axios, { AxiosError } from 'axios';
import express from 'express';
import type { BaseFetch } from '../../connectors/src/wrappers';
import { createTracedFetch, instrumentAxios, threadlineMiddleware } from '../../connectors/src/wrappers';
import type { TestTracing } from '../../connectors/test/wrappers/support';
import {
  REMOTE_PARENT_ID,
  REMOTE_TRACEPARENT,
  REMOTE_TRACE_ID,
  createTestTracing,
  parseTraceparent,
  useTestContextManager,
} from '../../connectors/test/wrappers/support';

interface UpstreamRequest {
  method: string;
  path: string;
  traceparent: string[];
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Upstream that records what it receives. /status/<n> answers n, /slow never answers on its own. */
class RecordingUpstream {
  readonly received: UpstreamRequest[] = [];
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        traceparent: req.headersDistinct.traceparent ?? [],
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (req.url === '/slow') return; // held open until the client gives up or the test stops
      const status = /^\/status\/(\d{3})$/.exec(req.url ?? '');
      res.writeHead(status ? Number(status[1]) : 200, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
      res.end('upstream');
    });
  }
}

async function refusedUrl(): Promise<string> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/nothing-listens`;
}

async function waitForSpans(tracing: TestTracing, count: number, kind: SpanKind): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const spans = tracing.spans().filter((span) => span.kind === kind);
    if (spans.length >= count) return spans;
    if (Date.now() > deadline) throw new Error(`expected ${count} spans of kind ${kind}, have ${spans.length}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function expectChildOf(span: ReadableSpan, upstream: UpstreamRequest): void {
  expect(upstream.traceparent).toHaveLength(1);
  const sent = parseTraceparent(upstream.traceparent[0]);
  expect(sent.traceId).toBe(span.spanContext().traceId);
  expect(sent.parentId).toBe(span.spanContext().spanId);
}

let upstream: RecordingUpstream;
let upstreamUrl: string;
let tracing: TestTracing;

beforeAll(async () => {
  upstream = new RecordingUpstream();
  upstreamUrl = await upstream.start();
});

afterAll(async () => {
  await upstream.stop();
});

beforeEach(() => {
  upstream.received.length = 0;
  tracing = createTestTracing();
});

afterEach(async () => {
  await tracing.shutdown();
});

describe('axios wrapper', () => {
  function tracedAxios(): ReturnType<typeof axios.create> {
    const client = axios.create({ baseURL: upstreamUrl });
    instrumentAxios(client, { tracer: tracing.tracer, propagator: tracing.propagator, captureResponseHeaders: ['x-upstream'] });
    return client;
  }

  it('sends the CLIENT span as the upstream parent', async () => {
    const response = await tracedAxios().get('/ok', { params: { q: 'a b' } });
    expect(response.status).toBe(200);
    const span = tracing.spanNamed('GET');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expectChildOf(span, upstream.received[0]!);
    expect(span.attributes['url.full']).toBe(`${upstreamUrl}/ok?q=a+b`);
    expect(span.attributes['server.address']).toBe('127.0.0.1');
    expect(span.attributes['server.port']).toBe(Number(new URL(upstreamUrl).port));
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.attributes['http.response.header.x-upstream']).toEqual(['yes']);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('gives three calls from one parent three different parent ids in one trace', async () => {
    const client = tracedAxios();
    const parentSpan = tracing.tracer.startSpan('step');
    const parent = trace.setSpan(context.active(), parentSpan);
    for (let i = 0; i < 3; i += 1) await client.get(`/call/${i}`, { threadline: { parent } });
    parentSpan.end();

    const sent = upstream.received.map((request) => parseTraceparent(request.traceparent[0]));
    expect(new Set(sent.map((tp) => tp.traceId))).toEqual(new Set([parentSpan.spanContext().traceId]));
    expect(new Set(sent.map((tp) => tp.parentId)).size).toBe(3);
    const clientSpans = tracing.spans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(clientSpans.map((span) => span.spanContext().spanId).sort()).toEqual(sent.map((tp) => tp.parentId).sort());
    for (const span of clientSpans) expect(span.parentSpanContext?.spanId).toBe(parentSpan.spanContext().spanId);
  });

  it('continues a TraceCarrier passed per request and replaces a stale traceparent header', async () => {
    await tracedAxios().get('/carrier', {
      headers: { Traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
      threadline: { parent: { traceparent: REMOTE_TRACEPARENT } },
    });
    const span = tracing.spanNamed('GET');
    expect(span.spanContext().traceId).toBe(REMOTE_TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(REMOTE_PARENT_ID);
    expectChildOf(span, upstream.received[0]!);
  });

  it.each([404, 500])('records a %i as a CLIENT error and rejects as axios does', async (status) => {
    const failure = await tracedAxios().get(`/status/${status}`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AxiosError);
    expect((failure as AxiosError).response?.status).toBe(status);
    const span = tracing.spanNamed('GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe(String(status));
    expect(span.attributes['http.response.status_code']).toBe(status);
    expectChildOf(span, upstream.received[0]!);
  });

  it('records connection refused', async () => {
    const client = axios.create();
    instrumentAxios(client, tracing);
    const failure = await client.get(await refusedUrl()).catch((error: unknown) => error);
    expect((failure as AxiosError).code).toBe('ECONNREFUSED');
    const span = tracing.spanNamed('GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.events.map((event) => event.name)).toContain('exception');
  });

  it('records a timeout', async () => {
    const failure = await tracedAxios()
      .get('/slow', { timeout: 100 })
      .catch((error: unknown) => error);
    expect((failure as AxiosError).code).toBe('ECONNABORTED');
    const span = tracing.spanNamed('GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ECONNABORTED');
  });

  it('records a cancel', async () => {
    const controller = new AbortController();
    const pending = tracedAxios().get('/slow', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const failure = await pending.catch((error: unknown) => error);
    expect(axios.isCancel(failure)).toBe(true);
    const span = tracing.spanNamed('GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ERR_CANCELED');
  });

  it('eject() removes the interceptors', async () => {
    const client = axios.create({ baseURL: upstreamUrl });
    const instrumentation = instrumentAxios(client, tracing);
    instrumentation.eject();
    await client.get('/plain');
    expect(upstream.received[0]!.traceparent).toEqual([]);
    expect(tracing.spans()).toEqual([]);
  });
});

describe('fetch wrapper', () => {
  it('sends the CLIENT span as the upstream parent and leaves the response body unread', async () => {
    const tracedFetch = createTracedFetch({ ...tracing, captureRequestHeaders: ['x-tenant'] });
    const response = await tracedFetch(`${upstreamUrl}/ok`, { headers: { 'x-tenant': 'acme' } });
    expect(response.bodyUsed).toBe(false);
    expect(await response.text()).toBe('upstream');
    const span = tracing.spanNamed('GET');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes['http.request.header.x-tenant']).toEqual(['acme']);
    expect(span.attributes['http.response.status_code']).toBe(200);
    expectChildOf(span, upstream.received[0]!);
  });

  it('gives three calls three different parent ids in one trace', async () => {
    const tracedFetch = createTracedFetch(tracing);
    const parentSpan = tracing.tracer.startSpan('step');
    const parent = trace.setSpan(context.active(), parentSpan);
    const responses = await Promise.all([0, 1, 2].map((i) => tracedFetch(`${upstreamUrl}/f/${i}`, { threadline: { parent } })));
    await Promise.all(responses.map((response) => response.arrayBuffer()));
    parentSpan.end();
    const sent = upstream.received.map((request) => parseTraceparent(request.traceparent[0]));
    expect(new Set(sent.map((tp) => tp.traceId)).size).toBe(1);
    expect(sent[0]!.traceId).toBe(parentSpan.spanContext().traceId);
    expect(new Set(sent.map((tp) => tp.parentId)).size).toBe(3);
  });

  it('keeps a Request object, its headers and its streamed body', async () => {
    const tracedFetch = createTracedFetch(tracing);
    const body = Readable.toWeb(Readable.from([Buffer.from('chunk-1;'), Buffer.from('chunk-2')])) as ReadableStream<Uint8Array>;
    const request = new Request(`${upstreamUrl}/upload`, {
      method: 'post',
      headers: { 'x-from-request': 'r' },
      body,
      duplex: 'half',
    } as RequestInit);
    const response = await tracedFetch(request);
    await response.arrayBuffer();
    const received = upstream.received[0]!;
    expect(received.method).toBe('POST');
    expect(received.body).toBe('chunk-1;chunk-2');
    expect(received.headers['x-from-request']).toBe('r');
    expectChildOf(tracing.spanNamed('POST'), received);
  });

  it('accepts init.headers as an array and keeps the caller-visible init untouched', async () => {
    const tracedFetch = createTracedFetch(tracing);
    const init = { method: 'PUT', headers: [['x-array', '1']] as [string, string][], body: 'payload' };
    const response = await tracedFetch(new URL(`${upstreamUrl}/array`), init);
    await response.arrayBuffer();
    expect(init.headers).toEqual([['x-array', '1']]);
    const received = upstream.received[0]!;
    expect(received.headers['x-array']).toBe('1');
    expect(received.body).toBe('payload');
    expectChildOf(tracing.spanNamed('PUT'), received);
  });

  it('continues a TraceCarrier and never hands `threadline` to the base fetch', async () => {
    const seenInits: (RequestInit | undefined)[] = [];
    const spyFetch: BaseFetch = (input, init) => {
      seenInits.push(init);
      return fetch(input, init);
    };
    const tracedFetch = createTracedFetch(tracing, spyFetch);
    const response = await tracedFetch(`${upstreamUrl}/carrier`, { threadline: { parent: { traceparent: REMOTE_TRACEPARENT } } });
    await response.arrayBuffer();
    expect(seenInits[0]).not.toHaveProperty('threadline');
    const span = tracing.spanNamed('GET');
    expect(span.spanContext().traceId).toBe(REMOTE_TRACE_ID);
    expectChildOf(span, upstream.received[0]!);
  });

  it.each([404, 500])('resolves a %i as fetch does and marks the CLIENT span as an error', async (status) => {
    const response = await createTracedFetch(tracing)(`${upstreamUrl}/status/${status}`);
    expect(response.status).toBe(status);
    await response.arrayBuffer();
    const span = tracing.spanNamed('GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe(String(status));
  });

  it('rethrows connection refused unchanged', async () => {
    let thrown: unknown;
    const recordingFetch: BaseFetch = (input, init) =>
      fetch(input, init).catch((error: unknown) => {
        thrown = error;
        throw error;
      });
    const failure = await createTracedFetch(tracing, recordingFetch)(await refusedUrl()).catch((error: unknown) => error);
    expect(failure).toBe(thrown);
    expect((failure as Error).name).toBe('TypeError'); // fetch's own error (another realm under jest)
    const span = tracing.spanNamed('GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
  });

  it('records a timeout signal', async () => {
    const failure = await createTracedFetch(tracing)(`${upstreamUrl}/slow`, { signal: AbortSignal.timeout(100) }).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).name).toBe('TimeoutError');
    expect(tracing.spanNamed('GET').attributes['error.type']).toBe('TimeoutError');
  });

  it('records an abort', async () => {
    const controller = new AbortController();
    const pending = createTracedFetch(tracing)(`${upstreamUrl}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const failure = await pending.catch((error: unknown) => error);
    expect((failure as Error).name).toBe('AbortError');
    const span = tracing.spanNamed('GET');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('AbortError');
  });
});

describe('express middleware', () => {
  let server: http.Server;
  let appUrl: string;
  let activeSpanInHandler: Span | undefined;
  let requestSpanInHandler: Span | undefined;
  let hangingRequestSeen: () => void = () => undefined;

  async function startApp(traceResponse: boolean): Promise<void> {
    const app = express();
    app.use(threadlineMiddleware({ tracer: tracing.tracer, propagator: tracing.propagator, traceResponse }));
    const api = express.Router();
    api.get('/users/:id', (req, res) => {
      activeSpanInHandler = trace.getSpan(context.active());
      requestSpanInHandler = req.threadline?.span;
      res.json({ id: req.params.id });
    });
    app.use('/api', api);
    app.get('/boom', () => {
      throw new Error('handler failed');
    });
    app.get('/relay', async (req, res) => {
      const tracedFetch = createTracedFetch(tracing);
      const upstreamResponse = await tracedFetch(`${upstreamUrl}/relayed`, { threadline: { parent: req.threadline?.context } });
      res.status(upstreamResponse.status).send(await upstreamResponse.text());
    });
    app.get('/hang', () => {
      hangingRequestSeen(); // never answers: the client aborts
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    activeSpanInHandler = undefined;
    requestSpanInHandler = undefined;
  });

  it('names the SERVER span by the route template once routing is done', async () => {
    await startApp(false);
    const response = await fetch(`${appUrl}/api/users/42?full=1`);
    expect(await response.json()).toEqual({ id: '42' });
    const [span] = await waitForSpans(tracing, 1, SpanKind.SERVER);
    expect(span!.name).toBe('GET /api/users/:id');
    expect(span!.attributes['http.route']).toBe('/api/users/:id');
    expect(span!.attributes['url.path']).toBe('/api/users/42');
    expect(span!.attributes['url.query']).toBe('full=1');
    expect(span!.attributes['http.response.status_code']).toBe(200);
    expect(span!.attributes['client.address']).toMatch(/127\.0\.0\.1/);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks a 5xx as an error and leaves an unrouted 404 unset and unnamed by route', async () => {
    await startApp(false);
    expect((await fetch(`${appUrl}/boom`)).status).toBe(500);
    expect((await fetch(`${appUrl}/no-such-route`)).status).toBe(404);
    const spans = await waitForSpans(tracing, 2, SpanKind.SERVER);
    const boom = spans.find((span) => span.attributes['url.path'] === '/boom')!;
    expect(boom.name).toBe('GET /boom');
    expect(boom.status.code).toBe(SpanStatusCode.ERROR);
    expect(boom.attributes['error.type']).toBe('500');
    const missing = spans.find((span) => span.attributes['url.path'] === '/no-such-route')!;
    expect(missing.name).toBe('GET');
    expect(missing.status.code).toBe(SpanStatusCode.UNSET);
    expect(missing.attributes).not.toHaveProperty('error.type');
  });

  it('continues an incoming traceparent and makes the span active downstream', async () => {
    const uninstall = useTestContextManager();
    try {
      await startApp(false);
      await (await fetch(`${appUrl}/api/users/1`, { headers: { traceparent: REMOTE_TRACEPARENT } })).arrayBuffer();
      const [span] = await waitForSpans(tracing, 1, SpanKind.SERVER);
      expect(span!.spanContext().traceId).toBe(REMOTE_TRACE_ID);
      expect(span!.parentSpanContext?.spanId).toBe(REMOTE_PARENT_ID);
      expect(requestSpanInHandler?.spanContext().spanId).toBe(span!.spanContext().spanId);
      expect(activeSpanInHandler?.spanContext().spanId).toBe(span!.spanContext().spanId);
    } finally {
      uninstall();
    }
  });

  it('chains caller → SERVER span → fetch CLIENT span → upstream through req.threadline.context', async () => {
    await startApp(false);
    await (await fetch(`${appUrl}/relay`, { headers: { traceparent: REMOTE_TRACEPARENT } })).arrayBuffer();
    const [serverSpan] = await waitForSpans(tracing, 1, SpanKind.SERVER);
    const clientSpan = tracing.spans().find((span) => span.kind === SpanKind.CLIENT)!;
    expect(clientSpan.parentSpanContext?.spanId).toBe(serverSpan!.spanContext().spanId);
    expect(clientSpan.spanContext().traceId).toBe(REMOTE_TRACE_ID);
    expectChildOf(clientSpan, upstream.received[0]!);
  });

  it('starts a new trace for an invalid traceparent', async () => {
    await startApp(false);
    const invalid = `00-${REMOTE_TRACE_ID}-0000000000000000-01`;
    await (await fetch(`${appUrl}/api/users/1`, { headers: { traceparent: invalid } })).arrayBuffer();
    const [span] = await waitForSpans(tracing, 1, SpanKind.SERVER);
    expect(span!.spanContext().traceId).not.toBe(REMOTE_TRACE_ID);
    expect(span!.parentSpanContext).toBeUndefined();
  });

  it('starts a new trace when traceparent arrives in two header fields', async () => {
    await startApp(false);
    const { port } = server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.end(
      'GET /api/users/7 HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `traceparent: ${REMOTE_TRACEPARENT}\r\ntraceparent: ${REMOTE_TRACEPARENT}\r\nConnection: close\r\n\r\n`,
    );
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
    const [span] = await waitForSpans(tracing, 1, SpanKind.SERVER);
    expect(span!.spanContext().traceId).not.toBe(REMOTE_TRACE_ID);
    expect(span!.parentSpanContext).toBeUndefined();
  });

  it('writes traceresponse only when asked', async () => {
    await startApp(true);
    const response = await fetch(`${appUrl}/api/users/1`, { headers: { traceparent: REMOTE_TRACEPARENT } });
    await response.arrayBuffer();
    const [span] = await waitForSpans(tracing, 1, SpanKind.SERVER);
    const returned = parseTraceparent(response.headers.get('traceresponse') ?? undefined);
    expect(returned.traceId).toBe(REMOTE_TRACE_ID);
    expect(returned.parentId).toBe(span!.spanContext().spanId);
  });

  it('does not write traceresponse by default', async () => {
    await startApp(false);
    const response = await fetch(`${appUrl}/api/users/1`);
    await response.arrayBuffer();
    expect(response.headers.get('traceresponse')).toBeNull();
  });

  it('ends and marks the span when the client aborts', async () => {
    await startApp(false);
    const seen = new Promise<void>((resolve) => (hangingRequestSeen = resolve));
    const controller = new AbortController();
    const pending = fetch(`${appUrl}/hang`, { signal: controller.signal }).catch((error: unknown) => error);
    await seen;
    controller.abort();
    await pending;
    const [span] = await waitForSpans(tracing, 1, SpanKind.SERVER);
    expect(span!.name).toBe('GET /hang');
    expect(span!.attributes['error.type']).toBe('client_aborted');
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes).not.toHaveProperty('http.response.status_code');
  });
});
