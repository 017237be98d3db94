// A fixed request rate, evenly spaced, over a pool of keep-alive connections. autocannon is not
// used here: its rate limit lets each connection spend its per-second budget back to back and
// then pause, so "half load" would really be bursts at full speed. Latency is measured from the
// moment a request is issued, so time spent queued behind a slow target counts.
import { Pool } from 'undici';
import { LatencyRecorder } from './latency';
import type { LoadResult } from './max-load';

export interface PacedLoadOptions {
  requestsPerSec: number;
  durationSeconds: number;
  connections: number;
}

const TICK_MS = 1;

export async function runPacedLoad(url: string, options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const latency = new LatencyRecorder();
  const path = `${target.pathname}${target.search}`;
  const total = Math.round(options.requestsPerSec * options.durationSeconds);
  const intervalMs = 1000 / options.requestsPerSec;
  let failures = 0;
  let ok = 0;
  const inFlight = new Set<Promise<void>>();

  const issue = (): void => {
    const started = process.hrtime.bigint();
    const done = pool
      .request({ path, method: 'GET' })
      .then(async (response) => {
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) {
          ok += 1;
          latency.recordMillis(Number(process.hrtime.bigint() - started) / 1e6);
        } else {
          failures += 1;
        }
      })
      .catch(() => {
        failures += 1;
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const start = performance.now();
  let sent = 0;
  // Each tick issues every request whose scheduled time has come, so a late timer catches up
  // instead of lowering the rate.
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      while (sent < due) {
        issue();
        sent += 1;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, TICK_MS);
    };
    tick();
  });
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return {
    requestsPerSec: ok / seconds,
    responses: ok + failures,
    p50Millis: latency.percentileMillis(50),
    p99Millis: latency.percentileMillis(99),
    failures,
  };
}
