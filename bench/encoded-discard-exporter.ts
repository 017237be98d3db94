// An exporter for in-process benchmarks: it takes requests the export queue encoded span by span,
// as the OTLP/protobuf exporter does, counts their spans and sends nothing. It can keep the first
// spans it is given, for comparisons of the encoder itself. It takes the built connectors, as the
// pipelines the benchmarks drive do.
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { EncodedSpanExporter, EncodedSpans } from '@threadline/connectors/dist/pipeline/export/encoded-spans';
import { SpanBatchEncoder } from '@threadline/connectors/dist/pipeline/export/otlp-protobuf-encoder';

/** Keeps the first spans it encodes. */
class SamplingBatchEncoder extends SpanBatchEncoder {
  constructor(
    private readonly sample: ReadableSpan[],
    private readonly sampleSize: number,
  ) {
    super();
  }

  override add(span: ReadableSpan): void {
    if (this.sample.length < this.sampleSize) this.sample.push(span);
    super.add(span);
  }
}

export class EncodedDiscardExporter implements EncodedSpanExporter {
  /** Spans in the requests exported so far. */
  spans = 0;
  readonly sample: ReadableSpan[] = [];

  constructor(private readonly sampleSize = 0) {}

  startBatch(): SpanBatchEncoder {
    return this.sample.length < this.sampleSize ? new SamplingBatchEncoder(this.sample, this.sampleSize) : new SpanBatchEncoder();
  }

  exportEncoded(request: EncodedSpans, resultCallback: (result: ExportResult) => void): void {
    this.spans += request.spanCount;
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  export(_spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    resultCallback({ code: ExportResultCode.FAILED, error: new Error('this exporter takes encoded requests only') });
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}
