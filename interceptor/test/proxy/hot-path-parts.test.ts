// Parts on every request's path, kept cheap: the access log's timed batches, the redactor bound to
// a span, response headers copied without the hop-by-hop fields.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { RedactableParts, Redactor } from '@threadline/connectors';
import { AccessLog } from '../../src/proxy/access-log';
import type { AccessLogEntry, LineSink } from '../../src/proxy/access-log';
import { forwardResponseHeaders } from '../../src/proxy/forwarded-headers';
import { RouteRedactor } from '../../src/proxy/per-route-seams';

function entry(path: string): AccessLogEntry {
  return { time: '2026-11-22T05:00:00.000Z', route: 'orders', direction: 'ingress', method: 'GET', path, status: 200, durationMs: 1.5 };
}

class RecordingSink implements LineSink {
  readonly writes: string[] = [];
  writableLength = 0;
  write(text: string): void {
    this.writes.push(text);
  }
}

describe('AccessLog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('writes the lines of a short burst together, one JSON object per line, within the flush interval', () => {
    const sink = new RecordingSink();
    const log = new AccessLog(sink);
    log.write(entry('/a'));
    log.write(entry('/b'));
    expect(sink.writes).toEqual([]);
    jest.advanceTimersByTime(20);
    expect(sink.writes).toHaveLength(1);
    expect(sink.writes[0]!.split('\n')).toEqual([JSON.stringify(entry('/a')), JSON.stringify(entry('/b')), '']);
  });

  test('writes at once when the batch is large, and close() writes what is pending', async () => {
    const sink = new RecordingSink();
    const log = new AccessLog(sink);
    const long = `/${'x'.repeat(70 * 1024)}`;
    log.write(entry(long));
    expect(sink.writes).toHaveLength(1);
    log.write(entry('/last'));
    await log.close();
    expect(sink.writes).toHaveLength(2);
    expect(sink.writes[1]).toContain('"/last"');
  });

  test('drops and counts lines while the destination holds more than its bound', () => {
    const sink = new RecordingSink();
    sink.writableLength = 2 << 20;
    const log = new AccessLog(sink);
    log.write(entry('/dropped'));
    jest.advanceTimersByTime(20);
    expect(sink.writes).toEqual([]);
    expect(log.dropped).toBe(1);
  });
});

describe('RouteRedactor', () => {
  const redactorNamed = (name: string): Redactor => ({ redact: (span: ReadableSpan): RedactableParts => ({ name, attributes: span.attributes, events: [], links: [], status: span.status }) });
  const span = (): ReadableSpan => ({ name: 'GET', attributes: {}, status: { code: 0 } }) as unknown as ReadableSpan;

  test('redacts a span with the redactor bound to it, any other span with the fallback', () => {
    const routes = new RouteRedactor(redactorNamed('fallback'));
    const bound = span();
    routes.bind(bound, redactorNamed('route'));
    expect(routes.redact(bound).name).toBe('route');
    expect(routes.redact(span()).name).toBe('fallback');
    routes.fallback = redactorNamed('reloaded');
    expect(routes.redact(span()).name).toBe('reloaded');
    expect(routes.redact(bound).name).toBe('route');
  });
});

describe('forwardResponseHeaders', () => {
  test('returns a copy without the hop-by-hop fields and leaves the upstream headers alone', () => {
    const upstream = { connection: 'keep-alive', 'keep-alive': 'timeout=5', 'content-type': 'application/json', 'content-length': '12' };
    expect({ ...forwardResponseHeaders(upstream) }).toEqual({ 'content-type': 'application/json', 'content-length': '12' });
    expect(upstream.connection).toBe('keep-alive');
  });
});
