// The seam between the export queue and an exporter that takes spans already encoded: the queue
// encodes each span as it arrives (SpanBatchEncoder) and hands the exporter a finished request.
// Spans are then garbage as soon as they are queued instead of living in the queue until their
// batch leaves (where, under load, they outlived young-generation collections), and a batch is
// sent as it is, without a pause to encode it.
import type { ExportResult } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SpanBatchEncoder } from './otlp-protobuf-encoder';

/** A finished OTLP/protobuf ExportTraceServiceRequest and how many spans it holds. */
export interface EncodedSpans {
  readonly body: Uint8Array;
  readonly spanCount: number;
}

/** A SpanExporter that can also send requests the queue encoded span by span. */
export interface EncodedSpanExporter extends SpanExporter {
  /** A new, empty request to encode spans into. */
  startBatch(): SpanBatchEncoder;
  exportEncoded(spans: EncodedSpans, resultCallback: (result: ExportResult) => void): void;
}

export function isEncodedSpanExporter(exporter: SpanExporter): exporter is EncodedSpanExporter {
  const candidate = exporter as Partial<EncodedSpanExporter>;
  return typeof candidate.startBatch === 'function' && typeof candidate.exportEncoded === 'function';
}
