import { redactQuery, redactUrl, UrlRules, type RedactionRules } from '../../src/redaction';
import { redactAttributes, rules } from './support';

const keys = new Set(['awsaccesskeyid', 'signature', 'sig', 'x-goog-signature', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token']);

describe('redactUrl (semantic-convention defaults)', () => {
  test.each([
    ['https://shop.example/a?sig=abc&page=2', 'https://shop.example/a?sig=REDACTED&page=2'],
    ['https://alice:pw@shop.example/a', 'https://REDACTED:REDACTED@shop.example/a'],
    ['https://alice@shop.example:8443/a', 'https://REDACTED:REDACTED@shop.example:8443/a'],
    [
      'https://s3.example/obj?X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=f00&X-Amz-Security-Token=tok&X-Amz-Date=20240101',
      'https://s3.example/obj?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED&X-Amz-Date=20240101',
    ],
    ['https://x.example/?AWSAccessKeyId=AKIA&Signature=s&Expires=1', 'https://x.example/?AWSAccessKeyId=REDACTED&Signature=REDACTED&Expires=1'],
    ['https://x.example/?X-Goog-Signature=abc#frag?sig=keep', 'https://x.example/?X-Goog-Signature=REDACTED#frag?sig=keep'],
    ['https://x.example/p#frag?sig=keep', 'https://x.example/p#frag?sig=keep'],
    ['https://x.example/p@th?sig=1', 'https://x.example/p@th?sig=REDACTED'],
    ['https://x.example/?SIG=1&x-amz-signature=2', 'https://x.example/?SIG=REDACTED&x-amz-signature=REDACTED'],
    ['https://x.example/?%73ig=1', 'https://x.example/?%73ig=REDACTED'],
    ['https://x.example/?sig&sig=', 'https://x.example/?sig&sig=REDACTED'],
    ['https://x.example/plain', 'https://x.example/plain'],
    ['not a url ?sig=1', 'not a url ?sig=REDACTED'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input, keys)).toBe(expected);
    expect(redactUrl(input)).toBe(expected);
  });

  test('percent-encoding elsewhere is left exactly as it was', () => {
    expect(redactUrl('https://x.example/a%20b?q=%E2%9C%93&sig=x', keys)).toBe('https://x.example/a%20b?q=%E2%9C%93&sig=REDACTED');
  });

  test('redacting twice changes nothing more', () => {
    const once = redactUrl('https://u:p@x.example/?sig=1', keys);
    expect(redactUrl(once, keys)).toBe(once);
  });

  test('redactQuery: url.query has no leading question mark', () => {
    expect(redactQuery('a=1&Signature=abc', keys)).toBe('a=1&Signature=REDACTED');
  });
});

describe('URL attributes under rules', () => {
  test('url.full, http.url, url.query and http.target get the URL rules; other keys do not', () => {
    const compiled = rules({ headers: { request: ['referer'] } });
    expect(
      redactAttributes(compiled, {
        'url.full': 'https://u:p@x.example/a?sig=1',
        'http.url': 'http://x.example/?Signature=2',
        'url.query': 'sig=3&a=b',
        'http.target': '/path?X-Amz-Signature=4',
        'url.path': '/a',
        'http.request.header.referer': ['https://x.example/?sig=5'],
        'http.response.status_code': 200,
      }),
    ).toEqual({
      'url.full': 'https://REDACTED:REDACTED@x.example/a?sig=REDACTED',
      'http.url': 'http://x.example/?Signature=REDACTED',
      'url.query': 'sig=REDACTED&a=b',
      'http.target': '/path?X-Amz-Signature=REDACTED',
      'url.path': '/a',
      'http.request.header.referer': ['https://x.example/?sig=5'],
      'http.response.status_code': 200,
    });
  });

  test('string arrays are redacted element by element', () => {
    expect(redactAttributes(rules({}), { 'url.full': ['https://x.example/?sig=1', 'https://y.example/'] })).toEqual({ 'url.full': ['https://x.example/?sig=REDACTED', 'https://y.example/'] });
  });

  test('deny-list: sensitive key globs add to the semantic-convention keys, and config keys add too', () => {
    const compiled = rules({ url: { query: { sensitiveKeys: ['*token*', 'code'] } } }, { extraSensitiveQueryKeys: ['apikey'] });
    expect(redactAttributes(compiled, { 'url.query': 'access_token=t&code=c&apikey=k&sig=s&barcode=b&page=2' })['url.query']).toBe(
      'access_token=REDACTED&code=REDACTED&apikey=REDACTED&sig=REDACTED&barcode=b&page=2',
    );
  });

  test('allow-list mode: every value not listed is REDACTED, the semantic-convention keys always', () => {
    const compiled = rules({ url: { query: { mode: 'allowlist', allowedKeys: ['page', 'sort*', 'sig'] } } });
    expect(redactAttributes(compiled, { 'url.full': 'https://x.example/s?q=bob&page=2&sort_by=name&sig=x&flag' })['url.full']).toBe(
      'https://x.example/s?q=REDACTED&page=2&sort_by=name&sig=REDACTED&flag',
    );
  });

  test('allowed query values still pass the detectors', () => {
    const compiled = rules({ url: { query: { mode: 'allowlist', allowedKeys: ['q'] } }, detectors: { email: true } });
    expect(redactAttributes(compiled, { 'url.query': 'q=bob@example.com' })['url.query']).toBe('q=REDACTED');
  });

  test('a percent-encoded secret in a query value or path segment is found under its encoding', () => {
    const compiled = rules({ detectors: { email: true, jwt: true } });
    expect(redactAttributes(compiled, { 'url.full': 'https://x.example/u/bob%40example.com?to=alice%40example.com&page=2' })['url.full']).toBe(
      'https://x.example/u/REDACTED?to=REDACTED&page=2',
    );
  });

  test('user info is kept when url.userInfo is false (and the detector is off)', () => {
    expect(redactAttributes(rules({ url: { userInfo: false } }), { 'url.full': 'https://u:p@x.example/' })['url.full']).toBe('https://u:p@x.example/');
  });
});

describe('path ids', () => {
  const pathIds: RedactionRules = { url: { pathIds: { enabled: true } } };

  test.each([
    ['/users/42/orders/7', '/users/{id}/orders/{id}'],
    ['/orders/3fa85f64-5717-4562-b3fc-2c963f66afa6', '/orders/{id}'],
    ['/blobs/9f86d081884c7d659a2feaa0c55ad015', '/blobs/{id}'],
    ['/sessions/a1B2c3D4e5F6g7H8i9J0kL', '/sessions/{id}'],
    ['/api/v1/orders', '/api/v1/orders'],
    ['/customers/by-name', '/customers/by-name'],
  ])('url.path %s', (input, expected) => {
    expect(redactAttributes(rules(pathIds), { 'url.path': input })['url.path']).toBe(expected);
  });

  test('in url.full, http.target and span names, never in the host or query', () => {
    const compiled = rules(pathIds);
    const parts = redactAttributes(compiled, { 'url.full': 'https://10.0.0.1:8080/users/42?page=2', 'http.target': '/users/42?page=3' });
    expect(parts).toEqual({ 'url.full': 'https://10.0.0.1:8080/users/{id}?page=2', 'http.target': '/users/{id}?page=3' });
  });

  test('kinds can be turned off, patterns added, the placeholder changed', () => {
    const compiled = rules({ url: { pathIds: { numeric: false, patterns: ['ord_[a-z0-9]+'], replacement: ':id' } } });
    expect(redactAttributes(compiled, { 'url.path': '/users/42/orders/ord_x1y2' })['url.path']).toBe('/users/42/orders/:id');
  });

  test('UrlRules works on its own', () => {
    const url = new UrlRules({ redactQueryKey: (key) => key === 'token', isPathId: (segment) => /^[0-9]+$/.test(segment) });
    expect(url.full('https://a:b@h.example/x/1?token=t#f')).toBe('https://REDACTED:REDACTED@h.example/x/{id}?token=REDACTED#f');
  });
});
