// The interceptor has one span pipeline, but each route may sample and redact differently, and a
// reload must not change the rules of a request already in flight. Two small adapters behind the
// pipeline's own seams make that work: the route's sampler travels in the parent Context, and the
// route's redactor is bound to each span when it starts.
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { createContextKey } from '@opentelemetry/api';
import type { ReadableSpan, Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { RedactableParts, Redactor } from '@threadline/connectors';

const ROUTE_SAMPLER_KEY = createContextKey('threadline.interceptor.route-sampler');

/** A context whose spans are sampled by `sampler`. */
export function withRouteSampler(context: Context, sampler: Sampler): Context {
  return context.setValue(ROUTE_SAMPLER_KEY, sampler);
}

/** The pipeline's sampler: the route's, found in the parent context, else the fallback. */
export class RouteSampler implements Sampler {
  constructor(public fallback: Sampler) {}

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const sampler = (context.getValue(ROUTE_SAMPLER_KEY) as Sampler | undefined) ?? this.fallback;
    return sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `RouteSampler{fallback=${this.fallback.toString()}}`;
  }
}

/** Where a span carries the redactor bound to it. */
const BOUND_REDACTOR = Symbol('threadline.interceptor.route-redactor');

type BindableSpan = object & { [BOUND_REDACTOR]?: Redactor };

/** The pipeline's redactor: the one bound to the span at its start, else the fallback. */
export class RouteRedactor implements Redactor {
  constructor(public fallback: Redactor) {}

  /**
   * The redact stage is handed the very span object the tracer returned, so the redactor rides on
   * it as a symbol-keyed property: it goes away with the span, and unlike a WeakMap entry it costs
   * the garbage collector nothing extra on every span.
   */
  bind(span: object, redactor: Redactor): void {
    (span as BindableSpan)[BOUND_REDACTOR] = redactor;
  }

  redact(span: ReadableSpan): RedactableParts {
    return ((span as BindableSpan)[BOUND_REDACTOR] ?? this.fallback).redact(span);
  }
}
