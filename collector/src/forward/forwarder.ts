// Forwarding of everything the collector accepts to an upstream OTLP/HTTP endpoint (a real
// OpenTelemetry Collector), through the connectors' OTLP exporter (protobuf). Spans wait in a
// bounded queue and go out in batches, one export at a time: when the upstream is slow or down the
// queue fills and further spans are dropped and counted; export failures are counted, never thrown,
// and never slow the receiver.
import { createOtlpExporter, defaultConfig } from '@threadline/connectors';
import type { ReceivedSpan } from '../otlp/decode';
import { toExportableSpans } from './exportable-span';

export interface ForwarderOptions {
  url: string;
  /** Headers for the upstream, e.g. its own Authorization. */
  headers?: Record<string, string>;
  maxQueueSpans?: number;
  maxBatchSpans?: number;
  /** How long spans wait for a batch to fill. */
  delayMs?: number;
  timeoutMs?: number;
  onError?: (message: string) => void;
}

export interface ForwarderStats {
  url: string;
  forwardedSpans: number;
  droppedSpans: number;
  failedSpans: number;
  failedExports: number;
  queuedSpans: number;
}

type Exporter = ReturnType<typeof createOtlpExporter>;

export class Forwarder {
  private readonly exporter: Exporter;
  private readonly queue: ReceivedSpan[] = [];
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly counts = { forwardedSpans: 0, droppedSpans: 0, failedSpans: 0, failedExports: 0 };
  private lastError = '';

  constructor(private readonly options: ForwarderOptions) {
    const base = defaultConfig().exporter;
    // Throws, naming the field, when the URL is not an absolute http(s) URL.
    this.exporter = createOtlpExporter({ ...base, protocol: 'http/protobuf', tracesEndpoint: options.url, headers: { ...(options.headers ?? {}) }, timeoutMillis: options.timeoutMs ?? 10_000 });
    this.maxQueue = options.maxQueueSpans ?? 10_000;
    this.maxBatch = options.maxBatchSpans ?? 512;
    this.delayMs = options.delayMs ?? 500;
  }

  stats(): ForwarderStats {
    return { url: this.options.url, ...this.counts, queuedSpans: this.queue.length };
  }

  /** Queues spans for the upstream; past the queue's bound they are dropped and counted. */
  enqueue(spans: readonly ReceivedSpan[]): void {
    for (const span of spans) {
      if (this.queue.length >= this.maxQueue) this.counts.droppedSpans++;
      else this.queue.push(span);
    }
    if (this.queue.length >= this.maxBatch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.delayMs);
  }

  /** Sends what is queued, batch after batch; resolves when the queue is empty or an export failed. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight !== undefined) {
      if (this.inFlight === undefined) this.kick();
      const failedBefore = this.counts.failedExports;
      await this.inFlight;
      if (this.counts.failedExports > failedBefore) return;
    }
  }

  async shutdown(): Promise<void> {
    await this.flush();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.exporter.shutdown();
  }

  private kick(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight = new Promise<void>((resolve) => {
      this.exporter.export(toExportableSpans(batch), (result) => {
        if (result.code === 0) this.counts.forwardedSpans += batch.length;
        else {
          this.counts.failedExports++;
          this.counts.failedSpans += batch.length;
          const message = `forwarding to ${this.options.url} failed: ${result.error?.message ?? 'unknown error'}`;
          // Say it once per distinct reason, not once per batch.
          if (message !== this.lastError) this.options.onError?.(message);
          this.lastError = message;
        }
        resolve();
      });
    }).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length >= this.maxBatch) this.kick();
      else if (this.queue.length > 0) this.timer ??= setTimeout(() => this.kick(), this.delayMs);
    });
  }
}
