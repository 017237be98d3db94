import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import { backoffDelay, describeExportError, isRetryableExportError, retryDelay } from '../../../src/pipeline/export/retry';
import { parseRetryAfter } from '../../../src/pipeline/export/http-transport';

const policy = { maxAttempts: 5, initialBackoffMillis: 100, maxBackoffMillis: 1000 };

test('backoff doubles from the initial value up to the maximum', () => {
  const middle = () => 0.5; // no jitter
  expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, policy, middle))).toEqual([100, 200, 400, 800, 1000, 1000]);
});

test('jitter spreads the wait by ±20 % without passing the maximum', () => {
  expect(backoffDelay(1, policy, () => 0)).toBe(80);
  expect(backoffDelay(1, policy, () => 0.999999)).toBeCloseTo(120, 3);
  expect(backoffDelay(10, policy, () => 0.999999)).toBe(1000);
});

test("the collector's Retry-After wins when longer, up to the maximum backoff", () => {
  const hinted = Object.assign(new OTLPExporterError('Too Many Requests', 429), { retryAfterMillis: 700 });
  expect(retryDelay(1, policy, hinted, () => 0.5)).toBe(700);
  expect(retryDelay(1, policy, Object.assign(new Error('x'), { retryAfterMillis: 50_000 }), () => 0.5)).toBe(1000);
  expect(retryDelay(1, policy, new Error('x'), () => 0.5)).toBe(100);
});

test.each([
  [new OTLPExporterError('x', 429), true],
  [new OTLPExporterError('x', 502), true],
  [new OTLPExporterError('x', 503), true],
  [new OTLPExporterError('x', 504), true],
  [new OTLPExporterError('x', 400), false],
  [new OTLPExporterError('x', 401), false],
  [new OTLPExporterError('x', 500), false],
  [Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), true],
  [new Error('timed out'), true],
  [undefined, true],
])('retryable(%p) = %p', (error, expected) => {
  expect(isRetryableExportError(error)).toBe(expected);
});

test('errors are described in one line that names the status or code', () => {
  expect(describeExportError(new OTLPExporterError('Forbidden', 403))).toBe('HTTP 403 Forbidden');
  expect(describeExportError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('ECONNRESET: socket hang up');
  expect(describeExportError(undefined)).toBe('export failed without an error');
});

test('Retry-After in seconds or as an HTTP date', () => {
  expect(parseRetryAfter('3')).toBe(3000);
  const now = Date.parse('2025-01-01T00:00:00Z');
  expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
  expect(parseRetryAfter('Wed, 01 Jan 2024 00:00:05 GMT', now)).toBe(0);
  expect(parseRetryAfter('soon')).toBeUndefined();
  expect(parseRetryAfter(undefined)).toBeUndefined();
});
