import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  ERROR_TYPE_CLIENT_ABORTED,
  capturedHeaderAttributes,
  errorTypeOf,
  httpClientRequestAttributes,
  httpOutcomeAttributes,
  httpServerRequestAttributes,
  httpSpanName,
  httpSpanStatus,
  isErrorStatusCode,
  normalizeHttpMethod,
  parseHostHeader,
  recordHttpOutcome,
  splitRequestTarget,
} from '../../src/semconv/http';
import { createTestTracing } from './support';

describe('normalizeHttpMethod', () => {
  it.each(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'])('keeps known %s', (m) => {
    expect(normalizeHttpMethod(m)).toEqual({ method: m });
  });

  it('maps unknown methods to _OTHER and keeps the original', () => {
    expect(normalizeHttpMethod('PURGE')).toEqual({ method: '_OTHER', original: 'PURGE' });
  });

  it('is case-sensitive: a lower-case method is not a known one', () => {
    expect(normalizeHttpMethod('get')).toEqual({ method: '_OTHER', original: 'get' });
  });
});

describe('httpSpanName', () => {
  it('is {method} without a route and {method} {route} with one', () => {
    expect(httpSpanName('GET')).toBe('GET');
    expect(httpSpanName('POST', '/users/:id')).toBe('POST /users/:id');
  });

  it('uses HTTP for unknown methods', () => {
    expect(httpSpanName('PURGE')).toBe('HTTP');
    expect(httpSpanName('PURGE', '/cache')).toBe('HTTP /cache');
  });
});

describe('httpClientRequestAttributes', () => {
  it('describes the URL with url.full, url.scheme, server.address and an explicit port', () => {
    expect(httpClientRequestAttributes({ method: 'GET', url: 'http://api.example.com:8080/a/b?x=1' })).toEqual({
      'http.request.method': 'GET',
      'url.full': 'http://api.example.com:8080/a/b?x=1',
      'url.scheme': 'http',
      'server.address': 'api.example.com',
      'server.port': 8080,
    });
  });

  it('fills server.port with the scheme default when the URL has none', () => {
    expect(httpClientRequestAttributes({ method: 'GET', url: 'https://example.com/' })['server.port']).toBe(443);
    expect(httpClientRequestAttributes({ method: 'GET', url: new URL('http://example.com/') })['server.port']).toBe(80);
  });

  it('strips the brackets of an IPv6 host', () => {
    expect(httpClientRequestAttributes({ method: 'GET', url: 'http://[::1]:9000/' })['server.address']).toBe('::1');
  });

  it('keeps a string that is not a URL as url.full only', () => {
    expect(httpClientRequestAttributes({ method: 'GET', url: '/relative' })).toEqual({
      'http.request.method': 'GET',
      'url.full': '/relative',
    });
  });

  it('does not redact: the pipeline does that in one place', () => {
    const attributes = httpClientRequestAttributes({ method: 'GET', url: 'https://s3.example.com/o?Signature=abc' });
    expect(attributes['url.full']).toBe('https://s3.example.com/o?Signature=abc');
  });

  it('records an unknown method as _OTHER plus http.request.method_original', () => {
    const attributes = httpClientRequestAttributes({ method: 'PURGE', url: 'http://cache.local/' });
    expect(attributes['http.request.method']).toBe('_OTHER');
    expect(attributes['http.request.method_original']).toBe('PURGE');
  });

  it('takes user_agent.original from the headers (any case) and the protocol version', () => {
    const attributes = httpClientRequestAttributes({
      method: 'GET',
      url: 'http://a.test/',
      headers: { 'User-Agent': 'threadline-test/1' },
      protocolVersion: '2.0',
    });
    expect(attributes['user_agent.original']).toBe('threadline-test/1');
    expect(attributes['network.protocol.version']).toBe('2');
  });

  it('captures only the opted-in request headers', () => {
    const attributes = httpClientRequestAttributes({
      method: 'GET',
      url: 'http://a.test/',
      headers: { 'X-Tenant': 'acme', Authorization: 'Bearer secret' },
      captureHeaders: ['x-tenant'],
    });
    expect(attributes['http.request.header.x-tenant']).toEqual(['acme']);
    expect(attributes).not.toHaveProperty('http.request.header.authorization');
  });
});

describe('httpServerRequestAttributes', () => {
  it('splits the target into url.path and url.query (without ?) and reads Host', () => {
    expect(
      httpServerRequestAttributes({
        method: 'GET',
        target: '/orders/42?expand=items&x=1',
        scheme: 'http',
        headers: { host: 'shop.local:3000', 'user-agent': 'curl/8' },
        clientAddress: '127.0.0.1',
        protocolVersion: '1.1',
      }),
    ).toEqual({
      'http.request.method': 'GET',
      'url.path': '/orders/42',
      'url.query': 'expand=items&x=1',
      'url.scheme': 'http',
      'server.address': 'shop.local',
      'server.port': 3000,
      'client.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'user_agent.original': 'curl/8',
    });
  });

  it('omits an empty query and defaults the port by scheme', () => {
    const attributes = httpServerRequestAttributes({
      method: 'GET',
      target: '/a?',
      scheme: 'https',
      headers: { host: 'secure.local' },
    });
    expect(attributes).not.toHaveProperty('url.query');
    expect(attributes['server.address']).toBe('secure.local');
    expect(attributes['server.port']).toBe(443);
  });

  it('handles an absolute-form target (proxies) and prefers its authority', () => {
    const attributes = httpServerRequestAttributes({
      method: 'GET',
      target: 'http://user@upstream.test:8081/p?q=1',
      scheme: 'http',
      headers: { host: 'other.test' },
    });
    expect(attributes['url.path']).toBe('/p');
    expect(attributes['url.query']).toBe('q=1');
    expect(attributes['server.address']).toBe('upstream.test');
    expect(attributes['server.port']).toBe(8081);
  });

  it('sets http.route when the route is known', () => {
    const attributes = httpServerRequestAttributes({ method: 'GET', target: '/u/1', scheme: 'http', route: '/u/:id' });
    expect(attributes['http.route']).toBe('/u/:id');
  });

  it('ignores a malformed Host header instead of guessing', () => {
    const attributes = httpServerRequestAttributes({
      method: 'GET',
      target: '/',
      scheme: 'http',
      headers: { host: 'evil.test/../x' },
    });
    expect(attributes).not.toHaveProperty('server.address');
    expect(attributes).not.toHaveProperty('server.port');
  });

  it('captures repeated header fields as separate elements', () => {
    const attributes = httpServerRequestAttributes({
      method: 'GET',
      target: '/',
      scheme: 'http',
      headers: { 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'], cookie: 'secret=1' },
      captureHeaders: ['X-Forwarded-For'],
    });
    expect(attributes['http.request.header.x-forwarded-for']).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(attributes).not.toHaveProperty('http.request.header.cookie');
  });
});

describe('splitRequestTarget and parseHostHeader', () => {
  it('keeps the raw path, drops a fragment, handles * and an empty target', () => {
    expect(splitRequestTarget('/a%20b/c?x=%41#frag')).toEqual({ path: '/a%20b/c', query: 'x=%41' });
    expect(splitRequestTarget('*')).toEqual({ path: '*', query: '' });
    expect(splitRequestTarget('')).toEqual({ path: '/', query: '' });
  });

  it('parses names, IPv4, bracketed IPv6 and ports; rejects junk', () => {
    expect(parseHostHeader('example.com')).toEqual({ address: 'example.com' });
    expect(parseHostHeader(' 10.0.0.1:8080 ')).toEqual({ address: '10.0.0.1', port: 8080 });
    expect(parseHostHeader('[2001:db8::1]:443')).toEqual({ address: '2001:db8::1', port: 443 });
    expect(parseHostHeader('a:99999')).toEqual({ address: 'a' });
    expect(parseHostHeader('user@host')).toBeUndefined();
    expect(parseHostHeader('')).toBeUndefined();
    expect(parseHostHeader(undefined)).toBeUndefined();
  });
});

describe('capturedHeaderAttributes', () => {
  it('captures nothing without an opt-in list', () => {
    expect(capturedHeaderAttributes('request', { a: '1' }, undefined)).toEqual({});
    expect(capturedHeaderAttributes('request', { a: '1' }, [])).toEqual({});
  });

  it('names response headers http.response.header.<lowercased> with string[] values', () => {
    expect(capturedHeaderAttributes('response', { 'Content-Length': 12, 'X-Id': 'r1' }, ['content-length', 'x-missing'])).toEqual({
      'http.response.header.content-length': ['12'],
    });
  });
});

describe('status rules', () => {
  it('SERVER spans are errors on 5xx only', () => {
    expect(isErrorStatusCode(SpanKind.SERVER, 200)).toBe(false);
    expect(isErrorStatusCode(SpanKind.SERVER, 404)).toBe(false);
    expect(isErrorStatusCode(SpanKind.SERVER, 500)).toBe(true);
    expect(httpSpanStatus(SpanKind.SERVER, { statusCode: 404 })).toEqual({ code: SpanStatusCode.UNSET });
    expect(httpSpanStatus(SpanKind.SERVER, { statusCode: 503 })).toEqual({ code: SpanStatusCode.ERROR });
    expect(httpOutcomeAttributes(SpanKind.SERVER, { statusCode: 404 })).toEqual({ 'http.response.status_code': 404 });
    expect(httpOutcomeAttributes(SpanKind.SERVER, { statusCode: 500 })).toEqual({
      'http.response.status_code': 500,
      'error.type': '500',
    });
  });

  it('CLIENT spans are errors on 4xx and 5xx', () => {
    expect(httpSpanStatus(SpanKind.CLIENT, { statusCode: 302 })).toEqual({ code: SpanStatusCode.UNSET });
    expect(httpSpanStatus(SpanKind.CLIENT, { statusCode: 404 })).toEqual({ code: SpanStatusCode.ERROR });
    expect(httpOutcomeAttributes(SpanKind.CLIENT, { statusCode: 404 })['error.type']).toBe('404');
    expect(httpOutcomeAttributes(SpanKind.CLIENT, { statusCode: 200 })).not.toHaveProperty('error.type');
  });

  it('a status code outside 100-599 is an error for both kinds', () => {
    expect(isErrorStatusCode(SpanKind.SERVER, 999)).toBe(true);
    expect(isErrorStatusCode(SpanKind.CLIENT, 0)).toBe(true);
  });

  it('a transport failure is a CLIENT error typed by its code and described by its message', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(httpSpanStatus(SpanKind.CLIENT, { error: refused })).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(httpOutcomeAttributes(SpanKind.CLIENT, { error: refused })).toEqual({ 'error.type': 'ECONNREFUSED' });
  });

  it('a named failure without an error object (client abort) is an error with that type', () => {
    expect(httpOutcomeAttributes(SpanKind.SERVER, { errorType: ERROR_TYPE_CLIENT_ABORTED })).toEqual({
      'error.type': 'client_aborted',
    });
    expect(httpSpanStatus(SpanKind.SERVER, { errorType: ERROR_TYPE_CLIENT_ABORTED }).code).toBe(SpanStatusCode.ERROR);
  });
});

describe('errorTypeOf', () => {
  class QuotaExceeded extends Error {}

  it('prefers a string code, then the cause code, then the name, then the class', () => {
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 'ERR_CANCELED' }))).toBe('ERR_CANCELED');
    expect(errorTypeOf(new TypeError('fetch failed', { cause: Object.assign(new Error('y'), { code: 'ECONNRESET' }) }))).toBe(
      'ECONNRESET',
    );
    expect(errorTypeOf(new DOMException('aborted', 'AbortError'))).toBe('AbortError');
    expect(errorTypeOf(new TypeError('bad'))).toBe('TypeError');
    expect(errorTypeOf({ constructor: QuotaExceeded })).toBe('QuotaExceeded');
  });

  it('falls back to _OTHER for values that are not errors', () => {
    expect(errorTypeOf('boom')).toBe('_OTHER');
    expect(errorTypeOf(undefined)).toBe('_OTHER');
    expect(errorTypeOf(Object.create(null))).toBe('_OTHER');
  });

  it('survives a throwing getter', () => {
    const hostile = Object.defineProperty(new Error('h'), 'code', {
      get() {
        throw new Error('no');
      },
    });
    expect(errorTypeOf(hostile)).toBe('Error');
  });
});

describe('recordHttpOutcome', () => {
  it('writes attributes, status and the exception event on a live span', async () => {
    const tracing = createTestTracing();
    const span = tracing.tracer.startSpan('GET', { kind: SpanKind.CLIENT });
    recordHttpOutcome(span, SpanKind.CLIENT, { error: Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }) });
    span.end();
    const [finished] = tracing.spans();
    expect(finished!.attributes['error.type']).toBe('ETIMEDOUT');
    expect(finished!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'timeout' });
    expect(finished!.events.map((event) => event.name)).toEqual(['exception']);
    await tracing.shutdown();
  });

  it('leaves the status unset for a successful exchange', async () => {
    const tracing = createTestTracing();
    const span = tracing.tracer.startSpan('GET', { kind: SpanKind.SERVER });
    recordHttpOutcome(span, SpanKind.SERVER, { statusCode: 201, headers: { 'x-id': 'a' }, captureHeaders: ['x-id'] });
    span.end();
    const [finished] = tracing.spans();
    expect(finished!.status.code).toBe(SpanStatusCode.UNSET);
    expect(finished!.attributes['http.response.header.x-id']).toEqual(['a']);
    await tracing.shutdown();
  });
});
