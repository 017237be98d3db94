// How the export queue holds spans until their batch leaves: as span objects for any SpanExporter,
// or, for an exporter that takes encoded requests, as the bytes of requests encoded span by span.
import type { ExportResult } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { RedactedSpan } from '../redact/redacted-span';
import type { EncodedSpanExporter, EncodedSpans } from './encoded-spans';
import { isEncodedSpanExporter } from './encoded-spans';
import type { SpanBatchEncoder } from './otlp-protobuf-encoder';
import { RingQueue } from './ring-queue';

/** Spans waiting for export, cut into batches of at most `batchSize` spans. */
export interface SpanBatches<B> {
  /** Spans waiting, batches handed out not included. */
  readonly length: number;
  /** Keeps a span; throws when it cannot (the queue counts the span as dropped). */
  push(span: RedactedSpan): void;
  /** Removes the oldest batch (up to batchSize spans; call only when length > 0). */
  take(): B;
  spanCount(batch: B): number;
  /** Empties the store and returns how many spans it held. */
  clear(): number;
  export(batch: B, resultCallback: (result: ExportResult) => void): void;
}

/** Span objects in a fixed ring, exported as arrays (any SpanExporter). */
class SpanObjectBatches implements SpanBatches<RedactedSpan[]> {
  private readonly ring: RingQueue<RedactedSpan>;

  constructor(
    private readonly exporter: SpanExporter,
    capacity: number,
    private readonly batchSize: number,
  ) {
    this.ring = new RingQueue(capacity);
  }

  get length(): number {
    return this.ring.length;
  }

  push(span: RedactedSpan): void {
    // the queue checks its bound before pushing
    this.ring.push(span);
  }

  take(): RedactedSpan[] {
    return this.ring.take(this.batchSize);
  }

  spanCount(batch: RedactedSpan[]): number {
    return batch.length;
  }

  clear(): number {
    return this.ring.clear();
  }

  export(batch: RedactedSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(batch, resultCallback);
  }
}

/**
 * Spans encoded as they arrive into the request being filled; a full request is finished and waits
 * as bytes. Only the request being filled and the finished ones are held, never a span object.
 */
class EncodedSpanBatches implements SpanBatches<EncodedSpans> {
  private readonly finished: EncodedSpans[] = [];
  private filling: SpanBatchEncoder;
  private waiting = 0;

  constructor(
    private readonly exporter: EncodedSpanExporter,
    private readonly batchSize: number,
  ) {
    this.filling = exporter.startBatch();
  }

  get length(): number {
    return this.waiting;
  }

  push(span: RedactedSpan): void {
    if (this.filling.count >= this.batchSize) this.finishFilling();
    this.filling.add(span);
    this.waiting++;
  }

  take(): EncodedSpans {
    if (this.finished.length === 0) this.finishFilling();
    const batch = this.finished.shift()!;
    this.waiting -= batch.spanCount;
    return batch;
  }

  spanCount(batch: EncodedSpans): number {
    return batch.spanCount;
  }

  clear(): number {
    const count = this.waiting;
    this.finished.length = 0;
    this.filling = this.exporter.startBatch();
    this.waiting = 0;
    return count;
  }

  export(batch: EncodedSpans, resultCallback: (result: ExportResult) => void): void {
    this.exporter.exportEncoded(batch, resultCallback);
  }

  private finishFilling(): void {
    if (this.filling.count === 0) return;
    this.finished.push({ body: this.filling.finish(), spanCount: this.filling.count });
    this.filling = this.exporter.startBatch();
  }
}

/** The store that suits `exporter`: encoded requests when it takes them, span objects otherwise. */
export function spanBatchesFor(exporter: SpanExporter, capacity: number, batchSize: number): SpanBatches<object> {
  if (isEncodedSpanExporter(exporter)) return new EncodedSpanBatches(exporter, batchSize) as SpanBatches<object>;
  return new SpanObjectBatches(exporter, capacity, batchSize) as SpanBatches<object>;
}
