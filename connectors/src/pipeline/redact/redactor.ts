import type { Attributes, Link, SpanStatus } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** The parts of a finished span that can carry sensitive data: all a Redactor may change. */
export interface RedactableParts {
  name: string;
  attributes: Attributes;
  events: readonly TimedEvent[];
  links: readonly Link[];
  status: SpanStatus;
  /**
   * A redacted resource; default the span's own. Return the same object for every span of one
   * resource (the OTLP serializer groups spans by Resource identity).
   */
  resource?: Resource;
  /** Rule applications that failed inside the redactor and were handled by dropping values; counted as redaction failures. */
  failures?: number;
}

/**
 * The redaction seam. The pipeline calls `redact` once for every finished, sampled span before it
 * is queued for export, and exports only what it returns; ids, times, kind, resource and scope
 * are taken from the original span and cannot be changed. An implementation must not mutate
 * `span`. If it throws, the pipeline fails closed (see RedactStage) and counts the failure.
 */
export interface Redactor {
  redact(span: ReadableSpan): RedactableParts;
}

/** The parts of `span` as they are: the starting point for a Redactor that changes a few of them. */
export function partsOf(span: ReadableSpan): RedactableParts {
  return { name: span.name, attributes: span.attributes, events: span.events, links: span.links, status: span.status };
}
