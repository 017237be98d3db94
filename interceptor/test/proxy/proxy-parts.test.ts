// The proxy's small pure parts: header forwarding rules, request-target parsing, route matching
// and upstream paths, the forward proxy's allow list.
import { Pool } from 'undici';
import { AllowedHosts } from '../../src/proxy/allowed-hosts';
import { TRACE_HEADER_NAMES, forwardRequestHeaders, forwardResponseHeaders } from '../../src/proxy/forwarded-headers';
import { RouteTable, prefixRoute, upstreamOf, upstreamPath } from '../../src/proxy/proxy-route';
import type { ProxyRoute } from '../../src/proxy/proxy-route';
import { parseAuthority, parseRequestTarget } from '../../src/proxy/request-target';

const pool = new Pool('http://127.0.0.1:9');
afterAll(() => pool.close());

const base = { upstreamHost: 'api.internal:8443', clientAddress: '10.1.2.3', clientScheme: 'http', dropTraceHeaders: true };

describe('forwardRequestHeaders', () => {
  test('removes hop-by-hop fields and those Connection names, keeps the rest with repeats', () => {
    const headers = forwardRequestHeaders(
      ['Host', 'proxy.example', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'TE', 'trailers', 'Trailer', 'x', 'Upgrade', 'h2c', 'Proxy-Authorization', 'Basic x', 'Proxy-Connection', 'keep-alive', 'Expect', '100-continue', 'Accept', 'a', 'Accept', 'b', 'Content-Type', 'text/plain'],
      base,
    );
    expect({ ...headers }).toEqual({
      accept: ['a', 'b'],
      'content-type': 'text/plain',
      host: 'api.internal:8443',
      'x-forwarded-for': '10.1.2.3',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'proxy.example',
    });
  });

  test('appends to X-Forwarded-* written by earlier proxies, joining repeated fields', () => {
    const headers = forwardRequestHeaders(['host', 'h', 'x-forwarded-for', '1.1.1.1', 'X-Forwarded-For', '2.2.2.2', 'x-forwarded-proto', 'https', 'x-forwarded-host', 'edge.example'], base);
    expect(headers['x-forwarded-for']).toBe('1.1.1.1, 2.2.2.2, 10.1.2.3');
    expect(headers['x-forwarded-proto']).toBe('https, http');
    expect(headers['x-forwarded-host']).toBe('edge.example, h');
  });

  test('drops every trace-context field when the proxy injects its own, keeps them otherwise', () => {
    const raw = ['traceparent', 'a', 'TraceState', 'b', 'baggage', 'c', 'b3', 'd', 'X-B3-TraceId', 'e', 'uber-trace-id', 'f', 'x-other', 'g'];
    expect(Object.keys(forwardRequestHeaders(raw, base)).filter((name) => name.startsWith('x-forwarded') === false)).toEqual(['x-other', 'host']);
    expect(Object.keys(forwardRequestHeaders(raw, { ...base, dropTraceHeaders: false }))).toEqual(expect.arrayContaining(['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'uber-trace-id']));
    expect([...TRACE_HEADER_NAMES]).toEqual(expect.arrayContaining(['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id']));
  });

  test('keeps Upgrade for WebSocket pass-through, as Connection: upgrade', () => {
    const headers = forwardRequestHeaders(['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], { ...base, keepUpgrade: true });
    expect(headers).toMatchObject({ upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-key': 'k' });
  });

  test('a header named __proto__ is just a header', () => {
    const headers = forwardRequestHeaders(['__proto__', 'x', 'host', 'h'], base);
    expect(Object.getPrototypeOf(headers)).toBeNull();
    expect(headers['__proto__']).toBe('x');
  });

  test('without a client Host there is no X-Forwarded-Host', () => {
    expect(forwardRequestHeaders([], base)['x-forwarded-host']).toBeUndefined();
  });
});

test('forwardResponseHeaders removes hop-by-hop fields and those Connection names', () => {
  expect(forwardResponseHeaders({ connection: 'close, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'set-cookie': ['a', 'b'], 'content-type': 'text/plain' })).toEqual({ 'set-cookie': ['a', 'b'], 'content-type': 'text/plain' });
});

describe('parseRequestTarget', () => {
  test.each([
    ['/a/b?x=1&y', { form: 'origin', path: '/a/b', query: '?x=1&y' }],
    ['/', { form: 'origin', path: '/', query: '' }],
    ['/a?', { form: 'origin', path: '/a', query: '?' }],
    ['/a..b/.c/d.', { form: 'origin', path: '/a..b/.c/d.', query: '' }],
    ['*', { form: 'asterisk' }],
  ])('%s', (target, expected) => {
    expect(parseRequestTarget(target)).toEqual(expected);
  });

  test.each(['/a/../b', '/..', '/a/.', '/a/%2e%2E/b', '/%2E/x', '/a\\b', '/a#frag', 'relative', 'ftp://x/y', 'http://user:pw@host/', 'http:///x'])('%s is invalid', (target) => {
    expect(parseRequestTarget(target).form).toBe('invalid');
  });

  test('absolute-form', () => {
    const target = parseRequestTarget('http://API.example:8080/a/b?q=1');
    expect(target.form).toBe('absolute');
    if (target.form === 'absolute') expect([target.url.hostname, target.url.port, target.url.pathname, target.url.search]).toEqual(['api.example', '8080', '/a/b', '?q=1']);
  });

  test('CONNECT authorities', () => {
    expect(parseAuthority('example.com:443')).toEqual({ host: 'example.com', port: 443 });
    expect(parseAuthority('[::1]:8443')).toEqual({ host: '[::1]', port: 8443 });
    for (const bad of ['example.com', 'example.com:0', 'example.com:70000', 'a b:1', 'http://x:1', ':80']) expect(parseAuthority(bad)).toBeUndefined();
  });
});

describe('routes', () => {
  const route = (prefix: string, stripPrefix = false): ProxyRoute => ({
    name: prefix,
    direction: 'ingress',
    prefix,
    httpRoute: prefixRoute(prefix),
    stripPrefix,
    timeouts: { connectMillis: 1, responseHeadersMillis: 1, idleMillis: 1 },
    upstream: upstreamOf(new URL('http://u:81/base/'), pool),
  });

  test('longest prefix on whole segments; the root route catches the rest', () => {
    const table = new RouteTable([route('/'), route('/api'), route('/api/v2'), route('/apix')]);
    const match = (path: string): string | undefined => table.match(path)?.prefix;
    expect(match('/api')).toBe('/api');
    expect(match('/api/')).toBe('/api');
    expect(match('/api/v2/x')).toBe('/api/v2');
    expect(match('/api/v20')).toBe('/api');
    expect(match('/apix/1')).toBe('/apix');
    expect(match('/apiy')).toBe('/');
    expect(new RouteTable([route('/api')]).match('/apiy')).toBeUndefined();
  });

  test('upstream paths: base path in front, prefix stripped on request', () => {
    const upstream = upstreamOf(new URL('http://u:81/base/'), pool);
    expect(upstream).toMatchObject({ origin: 'http://u:81', hostHeader: 'u:81', hostname: 'u', port: 81, basePath: '/base', scheme: 'http' });
    expect(upstreamPath(route('/api', true), upstream, '/api/x/y', '?q')).toBe('/base/x/y?q');
    expect(upstreamPath(route('/api', true), upstream, '/api', '')).toBe('/base');
    expect(upstreamPath(route('/api'), upstream, '/api/x', '')).toBe('/base/api/x');
    expect(upstreamPath(route('/', true), upstream, '/x', '')).toBe('/base/x');
    const root = upstreamOf(new URL('https://[::1]'), pool);
    expect(root).toMatchObject({ origin: 'https://[::1]:443', hostname: '::1', port: 443, basePath: '' });
    expect(upstreamPath(route('/api', true), root, '/api', '')).toBe('/');
    expect(prefixRoute('/')).toBe('/*');
    expect(prefixRoute('/hooks')).toBe('/hooks/*');
  });
});

test('AllowedHosts: names, ports, wildcards, IP literals, never anything else', () => {
  const allowed = new AllowedHosts(['api.example', 'pay.example:443', '*.svc.example', '127.0.0.1:8080', '::1', '[fe80::1]:9']);
  expect(allowed.allows('api.example', 80)).toBe(true);
  expect(allowed.allows('API.Example.', 8443)).toBe(true);
  expect(allowed.allows('pay.example', 443)).toBe(true);
  expect(allowed.allows('pay.example', 80)).toBe(false);
  expect(allowed.allows('a.svc.example', 1)).toBe(true);
  expect(allowed.allows('svc.example', 1)).toBe(false);
  expect(allowed.allows('evilsvc.example', 1)).toBe(false);
  expect(allowed.allows('127.0.0.1', 8080)).toBe(true);
  expect(allowed.allows('127.0.0.1', 8081)).toBe(false);
  expect(allowed.allows('[::1]', 5)).toBe(true);
  expect(allowed.allows('[fe80::1]', 9)).toBe(true);
  expect(allowed.allows('[fe80::1]', 10)).toBe(false);
  expect(allowed.allows('api.example.evil', 80)).toBe(false);
  expect(new AllowedHosts([]).allows('api.example', 80)).toBe(false);
});
