// Latency percentiles at microsecond resolution. autocannon's own histogram counts whole
// milliseconds, too coarse for a goal of "under 2 ms added"; node's histogram records integers,
// so values go in as microseconds.
import { createHistogram } from 'node:perf_hooks';
import type { RecordableHistogram } from 'node:perf_hooks';

export class LatencyRecorder {
  private readonly histogram: RecordableHistogram = createHistogram();

  recordMillis(millis: number): void {
    this.histogram.record(Math.max(1, Math.round(millis * 1000)));
  }

  get count(): number {
    return this.histogram.count;
  }

  /** The p-th percentile in milliseconds (0 when nothing was recorded). */
  percentileMillis(p: number): number {
    return this.histogram.count === 0 ? 0 : this.histogram.percentile(p) / 1000;
  }
}
