// What makes a decoded span unusable: ids that are not the W3C sizes or are all zeros. Such a span
// cannot be placed in a trace, so the receiver drops it and reports it as OTLP partial success.
import type { ReceivedSpan } from './decode';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZEROS = /^0+$/;

/** Why the span cannot be stored, or undefined when it can. */
export function spanProblem(span: ReceivedSpan): string | undefined {
  if (!TRACE_ID.test(span.traceId) || ZEROS.test(span.traceId)) return `span "${span.name}": traceId "${span.traceId}" is not 32 hex digits (and not all zeros)`;
  if (!SPAN_ID.test(span.spanId) || ZEROS.test(span.spanId)) return `span "${span.name}": spanId "${span.spanId}" is not 16 hex digits (and not all zeros)`;
  if (span.parentSpanId !== undefined && (!SPAN_ID.test(span.parentSpanId) || ZEROS.test(span.parentSpanId))) {
    return `span "${span.name}": parentSpanId "${span.parentSpanId}" is not 16 hex digits`;
  }
  return undefined;
}
