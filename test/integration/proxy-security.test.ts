// ACCEPTANCE 4: security. A path or host no route names is never forwarded; forward-proxy
// requests to hosts not allowed are answered 403; a spoofed Host cannot change the upstream;
// baggage the rules do not allow never reaches an egress upstream. (Admin endpoints without the
// token → 401 is covered with the admin server.)
import * as http from 'node:http';
import * as net from 'node:net';
import { TempFolder, rawRequest, startProxy, startUpstream } from '../../interceptor/test/proxy/support';
import type { TestProxy, Upstream } from '../../interceptor/test/proxy/support';

jest.setTimeout(30_000);

let folder: TempFolder;
let api: Upstream;
let other: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  folder = new TempFolder();
  api = await startUpstream();
  other = await startUpstream();
  folder.write(
    [
      'version: 1',
      'baggage:',
      '  accept: [tenant, region, user]',
      '  internalHosts: ["*.svc.cluster.local"]',
      '  forward:',
      '    - keys: [region]',
      '      to: external',
      '    - keys: [tenant, region]',
      '      to: internal',
      '',
    ].join('\n'),
    'rules.yaml',
  );
  proxy = await startProxy(folder, {
    listen: { port: 0 },
    routes: [
      { name: 'api', path: '/api', upstream: api.url },
      { name: 'partner', path: '/partner', upstream: api.url, direction: 'egress', redaction: { rulesFile: 'rules.yaml' } },
    ],
    forwardProxy: { enabled: true, allowedHosts: [`127.0.0.1:${api.port}`] },
    exporter: { queue: { scheduledDelayMillis: 10 } },
    admin: { enabled: false },
  });
});

afterAll(async () => {
  await proxy?.close();
  await api?.close();
  await other?.close();
  folder?.remove();
});

beforeEach(() => {
  api.requests.length = 0;
  other.requests.length = 0;
});

function nothingForwarded(): void {
  expect(api.requests).toEqual([]);
  expect(other.requests).toEqual([]);
}

/** Raw bytes on a fresh connection; resolves with the status line of the answer. */
function rawStatusLine(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.slice(0, answer.indexOf('\r\n')));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.write(bytes);
  });
}

describe('a path or host no route names is never forwarded', () => {
  test.each(['/', '/apix', '/API', '/ap', '/x/api', '/%61pi', '/other'])('%s → 404', async (path) => {
    const response = await rawRequest(proxy.port, { path });
    expect(response.status).toBe(404);
    nothingForwarded();
  });

  test.each(['/api/../admin', '/api/%2E%2E/admin', '/api/./x', '/api\\..\\admin'])('%s → 400', async (path) => {
    expect(await rawStatusLine(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    nothingForwarded();
  });

  test('OPTIONS * → 404', async () => {
    expect(await rawStatusLine('OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 404/);
    nothingForwarded();
  });

  test('a WebSocket upgrade on an unnamed path → 404', async () => {
    const line = await rawStatusLine('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    expect(line).toMatch(/^HTTP\/1\.1 404/);
    nothingForwarded();
  });
});

describe('forward proxy: hosts not allowed → 403', () => {
  test.each([
    ['another port of an allowed host', () => `${other.url}/x`],
    ['a name that is not listed', () => 'http://localhost:1/x'],
    ['an https URL to a host not listed', () => 'https://example.invalid/x'],
  ])('absolute-form to %s', async (_name, url) => {
    const response = await rawRequest(proxy.port, { path: url() });
    expect(response.status).toBe(403);
    nothingForwarded();
  });

  test('the allowed host:port is forwarded', async () => {
    const response = await rawRequest(proxy.port, { path: `${api.url}/ok` });
    expect(response.status).toBe(200);
    expect(api.requests.map((request) => request.url)).toEqual(['/ok']);
  });

  test('CONNECT to a host not allowed → 403, nothing connected', async () => {
    let connections = 0;
    other.server.on('connection', () => connections++);
    expect(await rawStatusLine(`CONNECT 127.0.0.1:${other.port} HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403/);
    expect(await rawStatusLine('CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n\r\n')).toMatch(/^HTTP\/1\.1 403/);
    expect(connections).toBe(0);
  });

  test('with the forward proxy off, absolute-form and CONNECT → 403', async () => {
    const closed = await startProxy(folder, { listen: { port: 0 }, routes: [{ name: 'api', path: '/api', upstream: api.url }], exporter: { enabled: false }, admin: { enabled: false } });
    try {
      expect((await rawRequest(closed.port, { path: `${api.url}/api/x` })).status).toBe(403);
      const line = await new Promise<string>((resolve) => {
        const socket = net.connect(closed.port, '127.0.0.1');
        socket.once('data', (chunk: Buffer) => {
          resolve(chunk.toString('latin1').split('\r\n')[0]!);
          socket.destroy();
        });
        socket.write(`CONNECT 127.0.0.1:${api.port} HTTP/1.1\r\nHost: 127.0.0.1:${api.port}\r\n\r\n`);
      });
      expect(line).toMatch(/^HTTP\/1\.1 403/);
      nothingForwarded();
    } finally {
      await closed.close();
    }
  });
});

describe('a spoofed Host cannot change the upstream', () => {
  test.each([
    ['the other upstream’s address', () => `127.0.0.1:${other.port}`],
    ['an external name', () => 'evil.example'],
    ['the proxy itself', () => `127.0.0.1:${proxy.port}`],
  ])('Host: %s → the route’s upstream, with its own Host', async (_name, host) => {
    const response = await rawRequest(proxy.port, { path: '/api/where', headers: [['Host', host()], ['X-Forwarded-Host', 'also-spoofed.example']] });
    expect(response.status).toBe(200);
    expect(other.requests).toEqual([]);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.headers.host).toBe(`127.0.0.1:${api.port}`);
  });

  test('an absolute-form target on a route path does not pick the upstream either', async () => {
    // With the forward proxy on, the target's authority is checked against the allow list only.
    const response = await rawRequest(proxy.port, { path: `${other.url}/api/where` });
    expect(response.status).toBe(403);
    nothingForwarded();
  });
});

describe('baggage at the egress boundary', () => {
  test('only what the rules forward to an external host reaches the egress upstream', async () => {
    await rawRequest(proxy.port, { path: '/partner/charge', headers: [['baggage', 'tenant=acme,region=eu,user=bob,session=s-1']] });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.headers.baggage).toBe('region=eu');
  });

  test('no baggage the rules do not forward, even when nothing is allowed', async () => {
    await rawRequest(proxy.port, { path: '/partner/charge', headers: [['baggage', 'user=bob,session=s-1']] });
    expect(api.requests[0]!.headers.baggage).toBeUndefined();
  });

  test('baggage does not reach the span either (not copied by the rules)', async () => {
    await rawRequest(proxy.port, { path: '/partner/charge', headers: [['baggage', 'tenant=acme,user=bob']] });
    const spans = await proxy.spans();
    const last = spans.filter((span) => span.attributes['threadline.route'] === 'partner').at(-1)!;
    expect(Object.keys(last.attributes).filter((key) => key.startsWith('baggage.'))).toEqual([]);
  });

  test('an ingress route to an internal upstream keeps the baggage the default rules allow inside', async () => {
    await new Promise<void>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port: proxy.port, path: '/api/in', headers: { baggage: 'tenant=acme' }, agent: false }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end();
    });
    expect(api.requests[0]!.headers.baggage).toBe('tenant=acme');
  });
});
