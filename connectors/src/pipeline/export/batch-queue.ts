// Batch + export stage. Written here rather than using the SDK's BatchSpanProcessor because that
// one cannot give exact counts (its drop counter resets when it logs), loses a batch on the first
// failed export, and has no retry: this queue counts every span exactly, keeps a failing batch
// (inside the bound) and retries it with backoff and jitter until the collector answers, the
// attempts or the batch's time budget run out, or shutdown's deadline passes. How the spans wait
// (objects, or requests encoded as the spans arrive) is span-batches.ts's business.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import { context, diag } from '@opentelemetry/api';
import type { RedactedSpan, RedactedSpanSink } from '../redact/redacted-span';
import type { PipelineCounters } from '../stats';
import type { RetryPolicy } from './retry';
import { describeExportError, isRetryableExportError, retryDelay } from './retry';
import type { SpanBatches } from './span-batches';
import { spanBatchesFor } from './span-batches';

export interface BatchQueueOptions {
  /** Spans held at most, the batches being exported included. */
  maxQueueSize: number;
  maxBatchSize: number;
  /** Wait for a full batch at most this long before exporting a partial one. */
  scheduledDelayMillis: number;
  /**
   * Time budget of one batch, retries included: an attempt still unanswered when it runs out
   * fails, and no retry starts that could not begin within it.
   */
  exportTimeoutMillis: number;
  retry: RetryPolicy;
  /** How long shutdown keeps exporting before it gives up on what is left (counted as failed). */
  shutdownTimeoutMillis: number;
  /** Batches exported at the same time at most (each with its own retries). Default 2. */
  maxConcurrentExports?: number;
  /** Source of jitter (tests inject one). */
  random?: () => number;
}

interface FlushWaiter {
  /** Resolve once this many accepted spans are settled (exported or failed). */
  target: number;
  resolve: () => void;
}

interface Sleep {
  promise: Promise<void>;
  wake: () => void;
}

function sleep(millis: number): Sleep {
  let wake: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, millis);
    timer.unref();
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { promise, wake };
}

function positiveInteger(value: number, fallback: number): number {
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

export class BatchQueue implements RedactedSpanSink {
  private readonly queue: SpanBatches<object>;
  private readonly capacity: number;
  private readonly maxBatchSize: number;
  private readonly maxConcurrentExports: number;
  private readonly random: () => number;
  /** Batches being exported; a batch leaves the set when it is settled or abandoned. */
  private readonly inFlight = new Set<object>();
  private inFlightSpans = 0;
  private delayTimer: NodeJS.Timeout | undefined;
  private readonly backoffs = new Set<Sleep>();
  private readonly pendingExports = new Set<() => void>();
  private accepted = 0;
  private settled = 0;
  private waiters: FlushWaiter[] = [];
  private closed = false;
  private storeFailureLogged = false;
  private abandoned = false;
  private shutdownOnce: Promise<void> | undefined;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly counters: PipelineCounters,
    private readonly options: BatchQueueOptions,
  ) {
    this.capacity = positiveInteger(options.maxQueueSize, 1);
    this.maxBatchSize = Math.min(positiveInteger(options.maxBatchSize, 1), this.capacity);
    this.queue = spanBatchesFor(exporter, this.capacity, this.maxBatchSize);
    this.maxConcurrentExports = positiveInteger(options.maxConcurrentExports ?? 2, 1);
    this.random = options.random ?? Math.random;
  }

  /** Spans held now, in the queue or in batches being exported. */
  get queued(): number {
    return this.queue.length + this.inFlightSpans;
  }

  canAccept(): boolean {
    return !this.closed && this.queued < this.capacity;
  }

  countDropped(): void {
    this.counters.dropped++;
  }

  /** Never throws: a span past the bound, or after shutdown, is counted as dropped. */
  push(span: RedactedSpan): boolean {
    if (!this.canAccept()) {
      this.countDropped();
      return false;
    }
    try {
      this.queue.push(span);
    } catch (error) {
      this.countDropped();
      this.logStoreFailure(error);
      return false;
    }
    this.accepted++;
    this.schedule();
    return true;
  }

  /** Resolves once every span accepted so far is exported or given up on. */
  forceFlush(): Promise<void> {
    if (this.settled >= this.accepted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiters.push({ target: this.accepted, resolve });
      this.schedule();
    });
  }

  /**
   * Stops accepting spans, exports what is queued, and resolves within about
   * `shutdownTimeoutMillis` even when the collector is down. Idempotent.
   */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.shutdownNow();
    return this.shutdownOnce;
  }

  private async shutdownNow(): Promise<void> {
    this.closed = true;
    const deadline = sleep(Math.max(0, this.options.shutdownTimeoutMillis));
    const drained = this.forceFlush().then(() => deadline.wake());
    await deadline.promise;
    if (this.settled < this.accepted) this.abandon('shutdown deadline passed before the collector accepted them');
    await drained;
    this.clearDelayTimer();
    // The exporter may wait on its own requests; do not let that hold shutdown up for long.
    const grace = sleep(1000);
    await Promise.race([
      Promise.resolve()
        .then(() => this.exporter.shutdown())
        .catch((error: unknown) => diag.warn(`Threadline exporter shutdown failed: ${describeExportError(error)}`)),
      grace.promise,
    ]);
    grace.wake();
  }

  private logStoreFailure(error: unknown): void {
    if (this.storeFailureLogged) return;
    this.storeFailureLogged = true;
    diag.error(`Threadline could not queue a span for export (${describeExportError(error)}); it is counted as dropped. Further failures are only counted.`);
  }

  private wantsExportNow(): boolean {
    return this.queue.length >= this.maxBatchSize || this.waiters.length > 0 || this.closed;
  }

  /** Starts exports while there is room and a reason; otherwise waits for the scheduled delay. */
  private schedule(): void {
    if (this.abandoned) return;
    while (this.queue.length > 0 && this.inFlight.size < this.maxConcurrentExports && this.wantsExportNow()) this.startExport();
    if (this.queue.length === 0) {
      this.clearDelayTimer();
      return;
    }
    if (this.delayTimer !== undefined || this.wantsExportNow()) return;
    this.delayTimer = setTimeout(() => {
      this.delayTimer = undefined;
      if (!this.abandoned && this.queue.length > 0 && this.inFlight.size < this.maxConcurrentExports) this.startExport();
      this.schedule();
    }, Math.max(0, this.options.scheduledDelayMillis));
    this.delayTimer.unref();
  }

  private clearDelayTimer(): void {
    if (this.delayTimer === undefined) return;
    clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
  }

  private startExport(): void {
    const batch = this.queue.take();
    this.inFlight.add(batch);
    this.inFlightSpans += this.queue.spanCount(batch);
    void this.exportWithRetry(batch).then(() => this.schedule());
  }

  private async exportWithRetry(batch: object): Promise<void> {
    const deadline = Date.now() + Math.max(0, this.options.exportTimeoutMillis);
    for (let attempt = 1; ; attempt++) {
      const result = await this.exportOnce(batch, Math.max(1, deadline - Date.now()));
      if (!this.inFlight.has(batch)) return; // abandoned meanwhile, and counted there
      if (result.code === ExportResultCode.SUCCESS) {
        this.finishBatch(batch, 'exported');
        return;
      }
      this.counters.exportErrors++;
      this.counters.lastExportError = describeExportError(result.error);
      const retryable = isRetryableExportError(result.error);
      const wait = retryDelay(attempt, this.options.retry, result.error, this.random);
      if (!retryable || attempt >= this.options.retry.maxAttempts || Date.now() + wait >= deadline) {
        this.finishBatch(batch, 'failed');
        diag.error(
          `Threadline export of ${this.queue.spanCount(batch)} spans failed after ${attempt} attempt(s): ${this.counters.lastExportError}` +
            (retryable ? '' : ' (not retryable)'),
        );
        return;
      }
      const backoff = sleep(wait);
      this.backoffs.add(backoff);
      await backoff.promise;
      this.backoffs.delete(backoff);
      if (!this.inFlight.has(batch)) return;
    }
  }

  /** Settles a batch: it leaves the in-flight set before anyone waiting on a flush hears of it. */
  private finishBatch(batch: object, outcome: 'exported' | 'failed'): void {
    const count = this.queue.spanCount(batch);
    this.inFlight.delete(batch);
    this.inFlightSpans -= count;
    this.counters[outcome] += count;
    this.settle(count);
  }

  /** One export call; never rejects. Answers FAILED on a throw, a timeout or abandonment. */
  private exportOnce(batch: object, timeoutMillis: number): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => {
      let done = false;
      const finish = (result: ExportResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pendingExports.delete(abandon);
        resolve(result);
      };
      const timer = setTimeout(
        () => finish({ code: ExportResultCode.FAILED, error: new Error(`export did not complete within ${timeoutMillis} ms`) }),
        timeoutMillis,
      );
      timer.unref();
      const abandon = (): void => finish({ code: ExportResultCode.FAILED, error: new Error('export abandoned') });
      this.pendingExports.add(abandon);
      try {
        // The exporter's own HTTP calls must not produce spans.
        context.with(suppressTracing(context.active()), () => this.queue.export(batch, finish));
      } catch (error) {
        finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  private settle(count: number): void {
    this.settled += count;
    if (this.waiters.length === 0) return;
    const still: FlushWaiter[] = [];
    for (const waiter of this.waiters) {
      if (this.settled >= waiter.target) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  /** Gives up on everything held: counted as failed, flushes resolved, timers stopped. */
  private abandon(reason: string): void {
    const left = this.queue.clear() + this.inFlightSpans;
    this.abandoned = true;
    this.inFlight.clear();
    this.inFlightSpans = 0;
    this.clearDelayTimer();
    for (const backoff of this.backoffs) backoff.wake();
    for (const abandonExport of [...this.pendingExports]) abandonExport();
    if (left > 0) {
      this.counters.failed += left;
      diag.error(`Threadline gave up on ${left} queued spans: ${reason}`);
    }
    this.settle(left);
  }
}
