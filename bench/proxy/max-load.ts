// Maximum throughput: autocannon with a fixed number of keep-alive connections, as fast as the
// target answers. Latency comes from autocannon's per-response event at microsecond resolution.
import autocannon from 'autocannon';
import { LatencyRecorder } from './latency';

export interface LoadResult {
  requestsPerSec: number;
  /** Responses received (any status), the divisor of CPU time per request. */
  responses: number;
  p50Millis: number;
  p99Millis: number;
  /** Socket errors, timeouts and non-2xx answers: any is a failed run. */
  failures: number;
}

export interface MaxLoadOptions {
  connections: number;
  durationSeconds: number;
}

export async function runMaxLoad(url: string, options: MaxLoadOptions): Promise<LoadResult> {
  const latency = new LatencyRecorder();
  const instance = autocannon({ url, connections: options.connections, duration: options.durationSeconds, timeout: 10 });
  instance.on('response', (_client, statusCode, _bytes, latencyMillis) => {
    if (statusCode >= 200 && statusCode < 300) latency.recordMillis(latencyMillis);
  });
  const result = await instance;
  return {
    requestsPerSec: result['2xx'] / result.duration,
    responses: result['2xx'] + result.non2xx,
    p50Millis: latency.percentileMillis(50),
    p99Millis: latency.percentileMillis(99),
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
