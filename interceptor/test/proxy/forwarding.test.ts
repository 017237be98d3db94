// The data plane forwarding requests: routes, paths, headers both ways, streaming bodies,
// keep-alive, the span for each request, traceresponse and the correlation id, the access log.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import * as http from 'node:http';
import { FAST_EXPORT, TempFolder, eventually, proxyConfig, rawRequest, startProxy, startUpstream } from './support';
import type { TestProxy, Upstream } from './support';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

let folder: TempFolder;
let upstream: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  folder = new TempFolder();
  upstream = await startUpstream();
  proxy = await startProxy(
    folder,
    proxyConfig(
      [
        { name: 'orders', path: '/orders', upstream: `${upstream.url}/api/v1`, stripPrefix: true },
        { name: 'orders-admin', path: '/orders/admin', upstream: `${upstream.url}/admin` },
        {
          name: 'partner',
          path: '/partner/',
          upstream: upstream.url,
          direction: 'egress',
          captureHeaders: { request: ['x-tenant', 'x-api-key'], response: ['content-type'] },
          // Captured headers still pass the route's rules: x-api-key is captured but not allowed out.
          redaction: { rules: { headers: { request: ['x-tenant'], response: ['content-type'] } } },
        },
        { name: 'quiet', path: '/quiet', upstream: upstream.url, tracing: false },
      ],
      { tracing: { traceResponse: true, correlationIdHeader: 'X-Correlation-Id' } },
    ),
  );
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
  folder.remove();
});

beforeEach(() => {
  upstream.requests.length = 0;
});

function lastRequest(): (typeof upstream.requests)[number] {
  const request = upstream.requests.at(-1);
  if (request === undefined) throw new Error('the upstream received nothing');
  return request;
}

describe('routing', () => {
  test('strips the prefix and puts the upstream base path in front, query kept', async () => {
    const response = await rawRequest(proxy.port, { path: '/orders/7/items?page=2&sort=asc' });
    expect(response.status).toBe(200);
    expect(lastRequest().url).toBe('/api/v1/7/items?page=2&sort=asc');
  });

  test('the longest prefix wins; a route without stripPrefix keeps the path', async () => {
    await rawRequest(proxy.port, { path: '/orders/admin/users' });
    expect(lastRequest().url).toBe('/admin/orders/admin/users');
  });

  test('matches whole segments only: /ordersx is not /orders', async () => {
    const response = await rawRequest(proxy.port, { path: '/ordersx' });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: 'no route for this path', status: 404 });
    expect(upstream.requests).toHaveLength(0);
  });

  test('the prefix itself maps to the upstream base path', async () => {
    await rawRequest(proxy.port, { path: '/orders' });
    expect(lastRequest().url).toBe('/api/v1');
    await rawRequest(proxy.port, { path: '/orders?x=1' });
    expect(lastRequest().url).toBe('/api/v1?x=1');
  });
});

describe('headers', () => {
  test('Host comes from the upstream URL; X-Forwarded-* are appended; hop-by-hop fields are removed', async () => {
    await rawRequest(proxy.port, {
      path: '/orders/1',
      headers: [
        ['Host', 'spoofed.example'],
        ['X-Forwarded-For', '203.0.113.9'],
        ['Connection', 'keep-alive, X-Secret-Hop'],
        ['X-Secret-Hop', 'private'],
        ['Keep-Alive', 'timeout=5'],
        ['Proxy-Authorization', 'Basic c2VjcmV0'],
        ['TE', 'trailers'],
        ['X-Custom', 'a'],
        ['X-Custom', 'b'],
      ],
    });
    const seen = lastRequest();
    expect(seen.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('spoofed.example');
    for (const name of ['x-secret-hop', 'keep-alive', 'proxy-authorization', 'te']) expect(seen.headers[name]).toBeUndefined();
    // Repeated fields reach the upstream as separate fields.
    const custom = seen.rawHeaders.filter((_, index) => index % 2 === 0 && seen.rawHeaders[index]!.toLowerCase() === 'x-custom').length;
    expect(custom).toBe(2);
  });

  test('response hop-by-hop fields are removed, others are kept, repeated Set-Cookie too', async () => {
    const cookies = await startUpstream((_request, response) => {
      response.setHeader('set-cookie', ['a=1', 'b=2']);
      response.setHeader('x-upstream', 'yes');
      response.setHeader('connection', 'close, x-drop-me');
      response.setHeader('x-drop-me', 'hop');
      response.end('ok');
    });
    const cookieProxy = await startProxy(folder, proxyConfig([{ name: 'c', path: '/', upstream: cookies.url }]));
    try {
      const response = await rawRequest(cookieProxy.port, { path: '/x' });
      expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(response.headers['x-upstream']).toBe('yes');
      expect(response.headers['x-drop-me']).toBeUndefined();
      expect(response.body).toBe('ok');
    } finally {
      await cookieProxy.close();
      await cookies.close();
    }
  });
});

describe('tracing', () => {
  test('ingress: SERVER span continuing the caller, the upstream gets the span as parent, traceresponse and correlation id', async () => {
    const response = await rawRequest(proxy.port, {
      path: '/orders/7?token=abc',
      headers: [
        ['traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`],
        ['tracestate', 'vendor=1'],
        ['user-agent', 'test-agent/1'],
      ],
    });
    const seen = lastRequest();
    const [, traceId, parentId, flags] = String(seen.headers.traceparent).split('-');
    expect(traceId).toBe(CALLER_TRACE);
    expect(parentId).not.toBe(CALLER_SPAN);
    expect(flags).toBe('01');
    expect(seen.headers.tracestate).toBe('vendor=1');
    expect(response.headers.traceresponse).toBe(seen.headers.traceparent);
    expect(response.headers['x-correlation-id']).toBe(CALLER_TRACE);

    const span = (await proxy.spans()).find((candidate) => candidate.spanContext().spanId === parentId);
    expect(span).toBeDefined();
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.name).toBe('GET /orders/*');
    expect(span!.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/orders/7',
      'url.scheme': 'http',
      'http.route': '/orders/*',
      'http.response.status_code': 200,
      'client.address': '127.0.0.1',
      'user_agent.original': 'test-agent/1',
      'threadline.route': 'orders',
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  test('without a caller context a new trace starts, random flag set', async () => {
    await rawRequest(proxy.port, { path: '/orders/1' });
    const [version, traceId, , flags] = String(lastRequest().headers.traceparent).split('-');
    expect(version).toBe('00');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(parseInt(flags!, 16) & 0x02).toBe(0x02);
  });

  test('egress: a CLIENT span with the upstream URL and opted-in headers', async () => {
    await rawRequest(proxy.port, { path: '/partner/charges?sig=secret', method: 'POST', body: '{"a":1}', headers: [['x-tenant', 'acme'], ['x-api-key', 'k-123'], ['content-type', 'application/json']] });
    const parentId = String(lastRequest().headers.traceparent).split('-')[2];
    const span = (await proxy.spans()).find((candidate) => candidate.spanContext().spanId === parentId)!;
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.name).toBe('POST');
    expect(span.attributes['server.address']).toBe('127.0.0.1');
    expect(span.attributes['server.port']).toBe(upstream.port);
    expect(span.attributes['url.full']).toBe(`${upstream.url}/partner/charges?sig=REDACTED`);
    expect(span.attributes['http.request.header.x-tenant']).toEqual(['acme']);
    expect(span.attributes['http.response.header.content-type']).toEqual(['application/json']);
    expect(span.attributes['http.request.header.x-api-key']).toBeUndefined();
  });

  test('a captured request header sent twice (any case) keeps one value per field', async () => {
    await rawRequest(proxy.port, { path: '/partner/charges', headers: [['X-Tenant', 'acme'], ['x-tenant', 'globex']] });
    const parentId = String(lastRequest().headers.traceparent).split('-')[2];
    const span = (await proxy.spans()).find((candidate) => candidate.spanContext().spanId === parentId)!;
    expect(span.attributes['http.request.header.x-tenant']).toEqual(['acme', 'globex']);
  });

  test("a traced request is read from node's raw header list: its header objects are never built", async () => {
    // node builds IncomingMessage.headers and .headersDistinct on first read (about a microsecond a request)
    const reads: string[] = [];
    const emit = http.Server.prototype.emit;
    const watch = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
      const request = args[0];
      if (event === 'request' && request instanceof http.IncomingMessage && request.url?.startsWith('/orders/')) {
        for (const name of ['headers', 'headersDistinct'] as const) {
          const original = Object.getOwnPropertyDescriptor(http.IncomingMessage.prototype, name)!;
          Object.defineProperty(request, name, {
            configurable: true,
            get() {
              reads.push(name);
              return original.get!.call(request);
            },
          });
        }
      }
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    };
    http.Server.prototype.emit = watch as typeof emit;
    try {
      await rawRequest(proxy.port, { path: '/orders/raw', method: 'POST', body: '{}', headers: [['traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`], ['tracestate', 'a=1'], ['baggage', 'k=v'], ['user-agent', 'probe']] });
    } finally {
      http.Server.prototype.emit = emit;
    }
    expect(lastRequest().headers.traceparent).toMatch(new RegExp(`^00-${CALLER_TRACE}-`));
    expect(lastRequest().body).toBe('{}');
    expect(reads).toEqual([]);
  });

  test('a route with tracing off forwards the caller headers untouched and makes no span', async () => {
    const before = (await proxy.spans()).length;
    await rawRequest(proxy.port, { path: '/quiet', headers: [['traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`], ['baggage', 'k=v']] });
    expect(lastRequest().headers.traceparent).toBe(`00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
    expect(lastRequest().headers.baggage).toBe('k=v');
    expect((await proxy.spans()).length).toBe(before);
  });

  test('three requests from one caller span get three parent ids', async () => {
    for (let i = 0; i < 3; i++) await rawRequest(proxy.port, { path: '/orders/1', headers: [['traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`]] });
    const parents = upstream.requests.map((request) => String(request.headers.traceparent).split('-')[2]);
    expect(new Set(parents).size).toBe(3);
  });
});

describe('bodies', () => {
  test('a large request body streams to the upstream and a large response streams back', async () => {
    const size = 8 * 1024 * 1024;
    const big = await startUpstream((request, response) => {
      // Answer with as many bytes as arrived, generated as it streams.
      const total = Number(request.headers['x-expect'] ?? '0');
      response.setHeader('content-type', 'application/octet-stream');
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    const bigProxy = await startProxy(folder, proxyConfig([{ name: 'big', path: '/', upstream: big.url }]));
    try {
      const received = await new Promise<number>((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port: bigProxy.port, method: 'PUT', path: '/upload', headers: { 'x-expect': String(size), 'transfer-encoding': 'chunked' }, agent: false }, (response) => {
          let count = 0;
          response.on('data', (chunk: Buffer) => (count += chunk.length));
          response.on('end', () => resolve(count));
        });
        request.on('error', reject);
        const chunk = Buffer.alloc(256 * 1024, 0x62);
        for (let sent = 0; sent < size; sent += chunk.length) request.write(chunk);
        request.end();
      });
      expect(received).toBe(size);
      expect(big.requests[0]!.body.length).toBe(size);
      expect(big.requests[0]!.headers['transfer-encoding']).toBe('chunked');
    } finally {
      await bigProxy.close();
      await big.close();
    }
  });

  test('opt-in body capture: only the JSON fields the rules allow reach the span, the bodies flow untouched', async () => {
    const json = await startUpstream((_request, response, body) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ status: 'accepted', echo: JSON.parse(body), card: '4111 1111 1111 1111' }));
    });
    const capturing = await startProxy(
      folder,
      proxyConfig([
        {
          name: 'orders',
          path: '/',
          upstream: json.url,
          captureBody: { request: true, response: true, maxBytes: 200 },
          redaction: { rules: { bodies: { request: [{ pointer: '/order/id' }], response: [{ pointer: '/status' }] } } },
        },
      ]),
    );
    try {
      const sent = JSON.stringify({ order: { id: 'A-17', email: 'bob@example.com' } });
      const response = await rawRequest(capturing.port, { method: 'POST', path: '/orders', body: sent, headers: [['content-type', 'application/json']] });
      expect(JSON.parse(response.body).echo).toEqual(JSON.parse(sent));
      const large = JSON.stringify({ order: { id: 'B-1', note: 'x'.repeat(500) } });
      const second = await rawRequest(capturing.port, { method: 'POST', path: '/orders', body: large, headers: [['content-type', 'application/json']] });
      expect(JSON.parse(second.body).echo).toEqual(JSON.parse(large));
      const [small, big] = await capturing.spans();
      expect(small!.attributes['http.request.body/order/id']).toBe('A-17');
      expect(small!.attributes['http.response.body/status']).toBe('accepted');
      const text = JSON.stringify(small!.attributes);
      for (const secret of ['bob@example.com', '4111']) expect(text).not.toContain(secret);
      expect(small!.attributes['http.request.body']).toBeUndefined();
      expect(small!.attributes['http.response.body']).toBeUndefined();
      // Over maxBytes: not captured at all.
      expect(Object.keys(big!.attributes).filter((key) => key.startsWith('http.request.body'))).toEqual([]);
    } finally {
      await capturing.close();
      await json.close();
    }
  });

  test('keep-alive: many requests reuse a few upstream connections', async () => {
    let connections = 0;
    upstream.server.on('connection', () => connections++);
    const before = connections;
    for (let i = 0; i < 20; i++) await rawRequest(proxy.port, { path: '/orders/1' });
    expect(connections - before).toBeLessThanOrEqual(2);
  });
});

describe('access log and observations', () => {
  test('one JSON line per request with route, status, trace and span ids; no query string', async () => {
    await rawRequest(proxy.port, { path: '/orders/99?token=secret' });
    await eventually(() => proxy.accessLog.some((line) => line.includes('/orders/99')));
    const line = JSON.parse(proxy.accessLog.find((candidate) => candidate.includes('/orders/99'))!);
    expect(line).toMatchObject({ route: 'orders', direction: 'ingress', method: 'GET', path: '/orders/99', status: 200, client: '127.0.0.1', upstream: `http://127.0.0.1:${upstream.port}` });
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof line.durationMs).toBe('number');
    expect(JSON.stringify(line)).not.toContain('secret');
    const observation = proxy.observer.requests.at(-1)!;
    expect(observation).toMatchObject({ route: 'orders', direction: 'ingress', method: 'GET', status: 200 });
  });

  test('unmatched requests are observed as route "unmatched"', async () => {
    await rawRequest(proxy.port, { path: '/nowhere' });
    expect(proxy.observer.requests.at(-1)).toMatchObject({ route: 'unmatched', status: 404 });
  });
});

describe('sampling', () => {
  test('sampling rules by route and per-route samplers decide; unsampled requests still carry the context', async () => {
    const sampled = await startProxy(
      folder,
      proxyConfig(
        [
          { name: 'health', path: '/health', upstream: upstream.url },
          { name: 'rare', path: '/rare', upstream: upstream.url, sampling: { sampler: 'traceidratio', ratio: 0 } },
          { name: 'tenant', path: '/tenant', upstream: upstream.url },
        ],
        {
          exporter: FAST_EXPORT,
          sampling: { rules: [{ match: { route: '/health/*' }, ratio: 0 }, { match: { attributes: { 'user_agent.original': 'batch-*' } }, ratio: 0 }] },
        },
      ),
    );
    try {
      for (const path of ['/health', '/rare/x']) {
        await rawRequest(sampled.port, { path });
        const [, traceId, , flags] = String(lastRequest().headers.traceparent).split('-');
        expect(traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(parseInt(flags!, 16) & 0x01).toBe(0);
      }
      // A rule on an attribute sees every attribute at the start of the span.
      await rawRequest(sampled.port, { path: '/tenant', headers: [['user-agent', 'batch-job/2']] });
      expect(parseInt(String(lastRequest().headers.traceparent).split('-')[3]!, 16) & 0x01).toBe(0);
      await rawRequest(sampled.port, { path: '/tenant', headers: [['user-agent', 'browser']] });
      expect(parseInt(String(lastRequest().headers.traceparent).split('-')[3]!, 16) & 0x01).toBe(1);
      const spans = await sampled.spans();
      expect(spans.map((span) => span.attributes['threadline.route'])).toEqual(['tenant']);
      expect(spans[0]!.attributes['user_agent.original']).toBe('browser');
    } finally {
      await sampled.close();
    }
  });
});
