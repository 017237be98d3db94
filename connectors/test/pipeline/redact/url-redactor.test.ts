import { redactQuery, redactUrl, redactUrlAttributes, UrlRedactor } from '../../../src/pipeline/redact/url-redactor';
import { finishedSpan } from '../test-spans';

const defaults = new UrlRedactor();
const keys = new Set(['awsaccesskeyid', 'signature', 'sig', 'x-goog-signature', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token']);

describe('redactUrl', () => {
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
    ['https://x.example/p@th?sig=1', 'https://x.example/p@th?sig=REDACTED'],
    ['https://x.example/?SIG=1&x-amz-signature=2', 'https://x.example/?SIG=REDACTED&x-amz-signature=REDACTED'],
    ['https://x.example/?%73ig=1', 'https://x.example/?%73ig=REDACTED'],
    ['https://x.example/?sig&sig=', 'https://x.example/?sig&sig=REDACTED'],
    ['https://x.example/plain', 'https://x.example/plain'],
    ['not a url ?sig=1', 'not a url ?sig=REDACTED'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input, keys)).toBe(expected);
  });

  test('percent-encoding elsewhere is left exactly as it was', () => {
    expect(redactUrl('https://x.example/a%20b?q=%E2%9C%93&sig=x', keys)).toBe('https://x.example/a%20b?q=%E2%9C%93&sig=REDACTED');
  });

  test('already redacted values stay the same object-free string', () => {
    const once = redactUrl('https://u:p@x.example/?sig=1', keys);
    expect(redactUrl(once, keys)).toBe(once);
  });
});

describe('redactQuery', () => {
  test('url.query has no leading question mark', () => {
    expect(redactQuery('a=1&Signature=abc', keys)).toBe('a=1&Signature=REDACTED');
  });
});

describe('redactUrlAttributes', () => {
  test('url.full, http.url, url.query and http.target are redacted; nothing else is touched', () => {
    const attributes = {
      'url.full': 'https://u:p@x.example/a?sig=1',
      'http.url': 'http://x.example/?Signature=2',
      'url.query': 'sig=3&a=b',
      'http.target': '/path?X-Amz-Signature=4',
      'url.path': '/a?sig=not-a-query',
      'http.request.header.referer': 'https://x.example/?sig=5',
      'http.response.status_code': 200,
    };
    expect(redactUrlAttributes(attributes, keys)).toEqual({
      'url.full': 'https://REDACTED:REDACTED@x.example/a?sig=REDACTED',
      'http.url': 'http://x.example/?Signature=REDACTED',
      'url.query': 'sig=REDACTED&a=b',
      'http.target': '/path?X-Amz-Signature=REDACTED',
      'url.path': '/a?sig=not-a-query',
      'http.request.header.referer': 'https://x.example/?sig=5',
      'http.response.status_code': 200,
    });
  });

  test('returns the same object when nothing changed', () => {
    const attributes = { 'url.full': 'https://x.example/a?b=c' };
    expect(redactUrlAttributes(attributes, keys)).toBe(attributes);
  });

  test('string arrays are redacted element by element', () => {
    expect(redactUrlAttributes({ 'url.full': ['https://x.example/?sig=1', 'https://y.example/'] }, keys)).toEqual({
      'url.full': ['https://x.example/?sig=REDACTED', 'https://y.example/'],
    });
  });
});

describe('UrlRedactor', () => {
  test('extra configured keys add to the semantic-convention defaults', () => {
    const redactor = new UrlRedactor(['token']);
    const parts = redactor.redact(finishedSpan({ attributes: { 'url.query': 'token=t&sig=s&keep=k' } }));
    expect(parts.attributes['url.query']).toBe('token=REDACTED&sig=REDACTED&keep=k');
  });

  test('event attributes are redacted too, and the input span is not mutated', () => {
    const event = { name: 'redirect', time: [1, 0] as [number, number], attributes: { 'url.full': 'https://x.example/?sig=1' } };
    const span = finishedSpan({ events: [event] });
    const parts = defaults.redact(span);
    expect(parts.events[0].attributes).toEqual({ 'url.full': 'https://x.example/?sig=REDACTED' });
    expect(event.attributes['url.full']).toBe('https://x.example/?sig=1');
  });
});
