// Reload swaps routes and rules atomically (in-flight requests finish on the old ones, a bad
// file changes nothing); close() stops accepting, drains in-flight requests up to a deadline and
// flushes spans.
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TempFolder, eventually, proxyConfig, rawRequest, startProxy, startUpstream } from './support';
import type { TestProxy, Upstream } from './support';

let folder: TempFolder;
let a: Upstream;
let b: Upstream;

beforeAll(async () => {
  folder = new TempFolder();
  a = await startUpstream((_request, response) => response.end('from a'));
  b = await startUpstream((_request, response) => response.end('from b'));
});

afterAll(async () => {
  await a.close();
  await b.close();
  folder.remove();
});

function rewrite(proxy: TestProxy, config: Record<string, unknown> | string): void {
  writeFileSync(proxy.file, typeof config === 'string' ? config : JSON.stringify(config));
}

describe('reload', () => {
  let proxy: TestProxy;

  beforeEach(async () => {
    proxy = await startProxy(folder, proxyConfig([{ name: 'svc', path: '/svc', upstream: a.url }]));
  });

  afterEach(async () => {
    await proxy.close();
  });

  test('new routes take effect for new requests', async () => {
    expect((await rawRequest(proxy.port, { path: '/svc' })).body).toBe('from a');
    rewrite(proxy, proxyConfig([{ name: 'svc', path: '/svc', upstream: b.url }, { name: 'added', path: '/added', upstream: a.url }]));
    expect(await proxy.interceptor.reload()).toEqual({ ok: true, errors: [] });
    expect((await rawRequest(proxy.port, { path: '/svc' })).body).toBe('from b');
    expect((await rawRequest(proxy.port, { path: '/added' })).body).toBe('from a');
    expect(proxy.observer.reloads).toEqual([{ ok: true, errors: [] }]);
    expect(proxy.interceptor.config.routes.map((route) => route.name)).toEqual(['svc', 'added']);
  });

  test('a bad file is refused with file, line and field; the running config stays', async () => {
    writeFileSync(proxy.file, ['{', '  "listen": { "port": 0 },', '  "routes": [{ "name": "svc", "path": "svc", "upstream": "' + b.url + '" }],', '  "admin": { "enabled": false }', '}'].join('\n'));
    const result = await proxy.interceptor.reload();
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([`${proxy.file}:3:39 routes[0].path: must start with '/' and hold no spaces, '?' or '#'`]);
    expect(proxy.observer.reloads).toEqual([result]);
    expect(proxy.log.join('\n')).toContain('reload refused, the running configuration stays');
    expect((await rawRequest(proxy.port, { path: '/svc' })).body).toBe('from a');
  });

  test('a rules file that fails to compile is refused too', async () => {
    const rules = join(folder.path, 'broken-rules.yaml');
    writeFileSync(rules, 'version: 1\nattributes:\n  blok: [x]\n');
    rewrite(proxy, proxyConfig([{ name: 'svc', path: '/svc', upstream: b.url, redaction: { rulesFile: rules } }]));
    const result = await proxy.interceptor.reload();
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toMatch(/broken-rules\.yaml:3:3 attributes\.blok: unknown field 'blok'/);
    expect((await rawRequest(proxy.port, { path: '/svc' })).body).toBe('from a');
  });

  test('a request in flight finishes on the configuration it started with', async () => {
    let release: () => void = () => undefined;
    const slow = await startUpstream((_request, response) => {
      release = () => response.end('from slow');
    });
    try {
      rewrite(proxy, proxyConfig([{ name: 'svc', path: '/svc', upstream: slow.url }]));
      await proxy.interceptor.reload();
      const pending = rawRequest(proxy.port, { path: '/svc' });
      await eventually(() => slow.requests.length === 1);
      rewrite(proxy, proxyConfig([{ name: 'svc', path: '/svc', upstream: b.url }]));
      expect((await proxy.interceptor.reload()).ok).toBe(true);
      expect((await rawRequest(proxy.port, { path: '/svc' })).body).toBe('from b');
      release();
      expect((await pending).body).toBe('from slow');
    } finally {
      await slow.close();
    }
  });

  test('changed rules apply to requests after the reload', async () => {
    const rules = join(folder.path, 'egress-rules.yaml');
    const forward = (keys: string): string => `version: 1\nbaggage:\n  accept: ['*']\n  forward:\n    - keys: [${keys}]\n      to: any\n`;
    writeFileSync(rules, forward('region'));
    rewrite(proxy, proxyConfig([{ name: 'svc', path: '/svc', upstream: a.url, direction: 'egress', redaction: { rulesFile: rules } }]));
    await proxy.interceptor.reload();
    await rawRequest(proxy.port, { path: '/svc', headers: [['baggage', 'region=eu,tenant=acme']] });
    expect(a.requests.at(-1)!.headers.baggage).toBe('region=eu');
    writeFileSync(rules, forward('tenant'));
    expect((await proxy.interceptor.reload()).ok).toBe(true);
    await rawRequest(proxy.port, { path: '/svc', headers: [['baggage', 'region=eu,tenant=acme']] });
    expect(a.requests.at(-1)!.headers.baggage).toBe('tenant=acme');
  });

  test('fields that need a restart are reported, the rest applies', async () => {
    rewrite(proxy, proxyConfig([{ name: 'svc', path: '/svc', upstream: b.url }], { listen: { port: 1 }, service: { name: 'renamed' } }));
    expect((await proxy.interceptor.reload()).ok).toBe(true);
    expect(proxy.log.join('\n')).toContain('listen, service changed and take effect at the next start');
    expect((await rawRequest(proxy.port, { path: '/svc' })).body).toBe('from b');
  });
});

describe('close', () => {
  test('stops accepting, lets the request in flight finish, then resolves', async () => {
    let release: () => void = () => undefined;
    const slow = await startUpstream((_request, response) => {
      release = () => response.end('finished');
    });
    const proxy = await startProxy(folder, proxyConfig([{ name: 'svc', path: '/', upstream: slow.url }]));
    try {
      const pending = rawRequest(proxy.port, { path: '/slow' });
      await eventually(() => slow.requests.length === 1);
      expect(proxy.interceptor.ready).toBe(true);
      const closed = proxy.interceptor.close(10_000);
      expect(proxy.interceptor.ready).toBe(false);
      // New connections are refused while the old request runs.
      await eventually(
        () =>
          new Promise<boolean>((resolve) => {
            const socket = net.connect(proxy.port, '127.0.0.1');
            socket.once('connect', () => {
              socket.destroy();
              resolve(false);
            });
            socket.once('error', () => resolve(true));
          }),
      );
      release();
      const response = await pending;
      expect(response.status).toBe(200);
      expect(response.body).toBe('finished');
      expect(response.headers.connection).toBe('close');
      await eventually(async () => (await proxy.spans()).length === 1);
      await closed;
    } finally {
      await proxy.close();
      await slow.close();
    }
  });

  test('cuts requests still running at the deadline', async () => {
    const hanging = net.createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const proxy = await startProxy(folder, proxyConfig([{ name: 'svc', path: '/', upstream: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}` }]));
    try {
      const outcome = new Promise<string>((resolve) => {
        http.get({ host: '127.0.0.1', port: proxy.port, path: '/', agent: false }, () => resolve('answered')).on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
      });
      await eventually(() => proxy.interceptor.pipelineStats() !== undefined && proxy.observer.requests.length === 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await proxy.interceptor.close(200);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await outcome).toBe('ECONNRESET');
      expect(proxy.log.join('\n')).toContain('requests still running after 200 ms were closed');
      expect(proxy.observer.requests.at(-1)).toMatchObject({ status: 499 });
    } finally {
      hanging.close();
    }
  });
});
