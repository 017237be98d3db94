// ACCEPTANCE 3: faults. Upstream refusing connections, hanging, going silent mid-body; the
// collector down while load runs; the client going away mid-response; oversized, malformed and
// slowly trickled requests. Error spans are checked as they arrive at the OTLP receiver process.
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';
import { TempFolder, eventually, proxyConfig, rawRequest, runLoad, startProxy, startUpstream } from '../../interceptor/test/proxy/support';
import type { TestProxy, Upstream } from '../../interceptor/test/proxy/support';
import { startProxyProcess } from '../../interceptor/test/proxy/process-support';

jest.setTimeout(50_000);

const SPAN_STATUS_ERROR = 2;
/** More than loopback socket buffers hold, so the proxy has to pause the upstream for a slow client. */
const BULKY_BYTES = 32 * 1024 * 1024;

let folder: TempFolder;
let receiver: Receiver;

beforeAll(async () => {
  folder = new TempFolder();
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.stop();
  folder?.remove();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function exportTo(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { exporter: { tracesEndpoint: receiver.url, queue: { scheduledDelayMillis: 20 } }, ...extra };
}

async function routeSpan(route: string, match: (span: ReceivedSpan) => boolean = () => true): Promise<ReceivedSpan> {
  const spans = await receiver.waitForSpans((all) => all.some((span) => span.attributes['threadline.route'] === route && match(span)));
  return spans.find((span) => span.attributes['threadline.route'] === route && match(span))!;
}

describe('upstream failures', () => {
  let proxy: TestProxy;
  let hanging: net.Server;
  let silent: Upstream;
  let bulky: Upstream;
  let refusedPort: number;

  beforeAll(async () => {
    refusedPort = await closedPort();
    // Accepts connections, reads the request, never answers.
    hanging = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.resume(); // reads (and so sees the proxy close the connection), never answers
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    // Sends the response head and one chunk, then nothing.
    silent = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first part;');
    });
    // Sends a body far larger than the socket buffers, as fast as it may.
    bulky = await startUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BULKY_BYTES) });
      response.end(Buffer.alloc(BULKY_BYTES, 0x61));
    });
    proxy = await startProxy(
      folder,
      proxyConfig(
        [
          { name: 'bulky', path: '/bulky', upstream: bulky.url, timeouts: { idleMillis: 400 } },
          { name: 'refused', path: '/refused', upstream: `http://127.0.0.1:${refusedPort}` },
          { name: 'hanging', path: '/hanging', upstream: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, timeouts: { responseHeadersMillis: 600 } },
          { name: 'silent', path: '/silent', upstream: silent.url, timeouts: { idleMillis: 400 } },
        ],
        exportTo(),
      ),
      { otlp: true },
    );
  });

  afterAll(async () => {
    await proxy?.close();
    await silent?.close();
    await bulky?.close();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  });

  test('connection refused → 502 at once, and an error span', async () => {
    const started = Date.now();
    const response = await rawRequest(proxy.port, { path: '/refused/x' });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body)).toEqual({ error: 'upstream request failed (ECONNREFUSED)', status: 502 });
    // The acceptance asks for 100 ms; `npm run bench:proxy` measures it. Here only "no waiting on a timeout".
    expect(elapsed).toBeLessThan(2000);
    const span = await routeSpan('refused');
    expect(span.status.code).toBe(SPAN_STATUS_ERROR);
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 502, 'error.type': 'ECONNREFUSED' });
  });

  test('upstream hanging → 504 at the configured response-headers timeout, and an error span', async () => {
    const started = Date.now();
    const response = await rawRequest(proxy.port, { path: '/hanging' });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(504);
    expect(JSON.parse(response.body).error).toBe('upstream timed out');
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(3000);
    const span = await routeSpan('hanging');
    expect(span.status.code).toBe(SPAN_STATUS_ERROR);
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 504, 'error.type': 'UND_ERR_HEADERS_TIMEOUT' });
  });

  test('upstream silent mid-body → the client’s response is cut off at the idle timeout, and an error span', async () => {
    const outcome = await new Promise<{ status: number; body: string; complete: boolean }>((resolve) => {
      http.get({ host: '127.0.0.1', port: proxy.port, path: '/silent', agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('close', () => resolve({ status: response.statusCode ?? 0, body, complete: response.complete }));
        response.on('error', () => undefined);
      });
    });
    expect(outcome).toEqual({ status: 200, body: 'first part;', complete: false });
    const span = await routeSpan('silent');
    expect(span.status.code).toBe(SPAN_STATUS_ERROR);
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 200, 'error.type': 'UND_ERR_BODY_TIMEOUT' });
  });

  test('a slow client is not a silent upstream: a body held back by the client past the idle timeout arrives whole', async () => {
    const outcome = await new Promise<{ status: number; bytes: number; complete: boolean }>((resolve) => {
      http.get({ host: '127.0.0.1', port: proxy.port, path: '/bulky', agent: false }, (response) => {
        let bytes = 0;
        // Not reading for longer than the route's idle timeout: the proxy pauses the upstream meanwhile.
        response.pause();
        setTimeout(() => response.resume(), 1200);
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('close', () => resolve({ status: response.statusCode ?? 0, bytes, complete: response.complete }));
        response.on('error', () => undefined);
      });
    });
    expect(outcome).toEqual({ status: 200, bytes: BULKY_BYTES, complete: true });
    const span = await routeSpan('bulky');
    expect(span.status.code).not.toBe(SPAN_STATUS_ERROR);
    expect(span.attributes['error.type']).toBeUndefined();
  });
});

describe('the client going away mid-response', () => {
  test('the upstream request is aborted: its socket is closed, and the span says client_aborted', async () => {
    let upstreamClosed = false;
    let socketClosed = false;
    const streaming = await startUpstream((request, response) => {
      request.socket.once('close', () => (socketClosed = true));
      response.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => response.write('tick\n'), 20);
      response.on('close', () => {
        clearInterval(timer);
        upstreamClosed = true;
      });
    });
    const proxy = await startProxy(folder, proxyConfig([{ name: 'stream', path: '/', upstream: streaming.url }], exportTo()), { otlp: true });
    try {
      await new Promise<void>((resolve) => {
        const request = http.get({ host: '127.0.0.1', port: proxy.port, path: '/events', agent: false }, (response) => {
          response.once('data', () => {
            request.destroy();
            resolve();
          });
        });
        request.on('error', () => undefined);
      });
      await eventually(() => upstreamClosed && socketClosed, 5000, 'the upstream response and its socket closed');
      const span = await routeSpan('stream');
      expect(span.attributes).toMatchObject({ 'error.type': 'client_aborted', 'http.response.status_code': 200 });
      expect(proxy.observer.requests.at(-1)).toMatchObject({ route: 'stream', status: 499 });
    } finally {
      await proxy.close();
      await streaming.close();
    }
  });
});

describe('bad requests', () => {
  let proxy: TestProxy;
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await startProxy(folder, proxyConfig([{ name: 'api', path: '/', upstream: upstream.url }], { listen: { port: 0, maxHeaderBytes: 4096, headersTimeoutMillis: 500 } }));
  });

  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
  });

  /** Writes raw bytes on a new connection and collects the answer until the proxy closes it. */
  function rawExchange(bytes: string): Promise<{ answer: string; closedAfterMs: number }> {
    return new Promise((resolve) => {
      const started = Date.now();
      const socket = net.connect(proxy.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ answer, closedAfterMs: Date.now() - started }));
      socket.write(bytes);
    });
  }

  test('headers larger than listen.maxHeaderBytes → 431', async () => {
    const response = await rawRequest(proxy.port, { path: '/big', headers: [['x-big', 'a'.repeat(8000)]] });
    expect(response.status).toBe(431);
    expect(upstream.requests.some((request) => request.url === '/big')).toBe(false);
  });

  test.each([
    ['a broken request line', 'GARBAGE\r\n\r\n'],
    ['an invalid header name', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
    ['invalid chunked framing', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n'],
    ['both Content-Length and Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['no Host header', 'GET / HTTP/1.1\r\n\r\n'],
  ])('%s → 400 and the connection closed', async (_name, bytes) => {
    const { answer } = await rawExchange(bytes);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  test.each([
    ['dot segments', '/a/../etc/passwd'],
    ['encoded dot segments', '/a/%2e%2e/admin'],
    ['a backslash', '/a\\..\\admin'],
  ])('a path with %s → 400, never forwarded', async (_name, path) => {
    const before = upstream.requests.length;
    const { answer } = await rawExchange(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(upstream.requests.length).toBe(before);
  });

  test('headers trickled slowly → the socket is closed at the header timeout (408)', async () => {
    const result = await new Promise<{ answer: string; closedAfterMs: number }>((resolve) => {
      const started = Date.now();
      const socket = net.connect(proxy.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      // One header byte every 50 ms: never a complete header section.
      const timer = setInterval(() => socket.writable && socket.write('X'), 50);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ answer, closedAfterMs: Date.now() - started });
      });
    });
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(450);
    expect(result.closedAfterMs).toBeLessThan(5000);
  });

  test('after all of that the proxy still serves requests', async () => {
    expect((await rawRequest(proxy.port, { path: '/still-alive' })).status).toBe(200);
    expect(proxy.observer.requests.filter((observation) => observation.status === 400).length).toBeGreaterThanOrEqual(5);
  });
});

describe('the collector down for the whole test while load runs', () => {
  test('no client request fails, memory stays bounded, and the dropped-span metric counts', async () => {
    const collector = await startReceiver();
    const deadCollector = collector.url;
    await collector.stop();
    const upstream = await startUpstream((_request, response) => response.end('ok'));
    const token = 'faults-admin-token-0123456789';
    const config = folder.write({
      listen: { port: 0 },
      routes: [{ name: 'api', path: '/', upstream: upstream.url }],
      exporter: { tracesEndpoint: deadCollector, timeoutMillis: 500, queue: { maxSize: 200, maxBatchSize: 100, scheduledDelayMillis: 50 }, retry: { maxAttempts: 2, initialBackoffMillis: 50, maxBackoffMillis: 100 } },
      accessLog: { enabled: false },
      admin: { port: 0, token },
    });
    // The old space is capped: a proxy that kept spans (or anything per request) while the
    // collector is down would run out of heap and fail requests instead of finishing the load.
    const proxy = await startProxyProcess(config, { NODE_OPTIONS: '--max-old-space-size=96' });
    const metric = async (name: string): Promise<number> => {
      const text = await (await fetch(`${proxy.adminUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
      if (line === undefined) throw new Error(`no ${name} in /metrics`);
      return Number(line.slice(name.length + 1));
    };
    try {
      await runLoad(proxy.port, { path: '/warm', concurrency: 10, durationMs: 1000 });
      const droppedBefore = await metric('threadline_spans_dropped_total');
      const load = await runLoad(proxy.port, { path: '/load', concurrency: 20, durationMs: 4000 });
      expect(load.failures).toEqual([]);
      expect(load.failed).toBe(0);
      expect(load.ok).toBeGreaterThan(300);
      const dropped = await metric('threadline_spans_dropped_total');
      expect(dropped).toBeGreaterThan(droppedBefore);
      // Every span past the queue bound was dropped and counted, none kept.
      expect(await metric('threadline_spans_queued')).toBeLessThanOrEqual(200);
      expect(await metric('threadline_spans_exported_total')).toBe(0);
      // Thousands of spans went through within the capped heap (heap used counts garbage not yet
      // collected, so it is checked against the cap, not against a baseline).
      expect(await metric('nodejs_heap_size_used_bytes')).toBeLessThan(96 * 1024 * 1024);
      expect(await proxy.stop('SIGTERM')).toBe(0);
    } finally {
      await proxy.stop('SIGKILL');
      await upstream.close();
    }
  });
});
