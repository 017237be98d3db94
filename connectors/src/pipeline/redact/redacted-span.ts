import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

declare const redactedBrand: unique symbol;

/**
 * A span that went through the redact stage: a new snapshot object holding the redacted parts.
 * The export queue accepts nothing else, so the type system keeps unredacted spans away from
 * the exporter; only RedactStage creates these.
 */
export type RedactedSpan = ReadableSpan & { readonly [redactedBrand]: true };

/** Where redacted spans go next (the batch queue). */
export interface RedactedSpanSink {
  /** False when the span was not accepted (and was counted as dropped). Never throws. */
  push(span: RedactedSpan): boolean;
  /** Whether push would accept a span now; lets a full queue refuse spans before redacting them. */
  canAccept(): boolean;
  /** Counts a span refused without being pushed. */
  countDropped(): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
