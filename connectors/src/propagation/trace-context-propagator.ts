// Strict W3C Trace Context propagator (Level 2) behind OpenTelemetry's TextMapPropagator.
import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter, TraceState } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import {
  KNOWN_FLAGS_MASK,
  TRACEPARENT_HEADER,
  formatTraceparent,
  parseTraceparent,
} from './traceparent';
import { StrictTraceState, TRACESTATE_HEADER } from './tracestate';

/** Serialize any TraceState to a valid header value; a foreign one is re-checked strictly. */
function tracestateValue(traceState: TraceState | undefined): string {
  if (traceState === undefined || traceState === null) return '';
  if (traceState instanceof StrictTraceState) return traceState.serialize();
  try {
    return StrictTraceState.parse(traceState.serialize())?.serialize() ?? '';
  } catch {
    return '';
  }
}

/** The W3C header values for the span context in `context`, or undefined when it has none valid. */
export function traceContextHeaders(context: Context): { traceparent: string; tracestate: string } | undefined {
  const spanContext = trace.getSpanContext(context);
  if (spanContext === undefined) return undefined;
  // The random flag (0x02) is part of traceFlags: kept from extract, set by the pipeline's tracer.
  const traceFlags = spanContext.traceFlags & KNOWN_FLAGS_MASK;
  const traceparent = formatTraceparent({ traceId: spanContext.traceId, parentId: spanContext.spanId, traceFlags });
  if (traceparent === undefined) return undefined;
  return { traceparent, tracestate: tracestateValue(spanContext.traceState) };
}

/**
 * Strict `traceparent` / `tracestate` propagation. An invalid traceparent leaves the context
 * untouched (the caller then starts a new trace) and its tracestate is ignored; a bad
 * tracestate is dropped without affecting the traceparent. Extracted contexts carry a
 * StrictTraceState (empty when none arrived).
 */
export class TraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(context)) return;
    const headers = traceContextHeaders(context);
    if (headers === undefined) return;
    setter.set(carrier, TRACEPARENT_HEADER, headers.traceparent);
    if (headers.tracestate !== '') setter.set(carrier, TRACESTATE_HEADER, headers.tracestate);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const traceparent = parseTraceparent(getter.get(carrier, TRACEPARENT_HEADER));
    if (traceparent === undefined) return context;
    const spanContext: SpanContext = {
      traceId: traceparent.traceId,
      spanId: traceparent.parentId,
      traceFlags: traceparent.traceFlags & KNOWN_FLAGS_MASK,
      isRemote: true,
      traceState: StrictTraceState.parse(getter.get(carrier, TRACESTATE_HEADER)) ?? StrictTraceState.empty(),
    };
    return trace.setSpanContext(context, spanContext);
  }

  fields(): string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }
}
