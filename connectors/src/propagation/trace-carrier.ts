// Context as data: a TraceCarrier holds the three W3C header values, normalised (only valid
// values, re-serialised), so it survives message clones, queue hops and restarts.
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import type { TraceCarrier } from '../model';
import { parseBaggageHeader, serializeBaggage } from './baggage';
import { headerMapGetter } from './carriers';
import { isValidSpanIdHex } from './hex';
import { newSpanId, newTraceId } from './ids';
import { ThreadlinePropagator, W3C_PROPAGATION } from './threadline-propagator';
import { traceContextHeaders } from './trace-context-propagator';
import { FLAG_RANDOM, FLAG_SAMPLED, formatTraceparent, parseTraceparent } from './traceparent';
import { StrictTraceState } from './tracestate';

const w3cPropagator = new ThreadlinePropagator(W3C_PROPAGATION);

const traceCarrierGetter = headerMapGetter as TextMapGetter<unknown>;

/** The W3C context in `context` as data, or undefined when it holds no valid span context. */
export function contextToCarrier(context: Context): TraceCarrier | undefined {
  const headers = traceContextHeaders(context);
  if (headers === undefined) return undefined;
  const result: TraceCarrier = { traceparent: headers.traceparent };
  if (headers.tracestate !== '') result.tracestate = headers.tracestate;
  const baggage = serializeBaggage(propagation.getBaggage(context));
  if (baggage !== '') result.baggage = baggage;
  return result;
}

/** A context holding the carrier's span context (remote) and baggage, on top of `context`. */
export function carrierToContext(carrier: TraceCarrier | undefined, context: Context = ROOT_CONTEXT): Context {
  if (typeof carrier !== 'object' || carrier === null) return context;
  return w3cPropagator.extract(context, carrier, traceCarrierGetter);
}

/**
 * Read a context from any carrier (headers, message, envelope) with `propagator` (default plain
 * W3C; pass the configured ThreadlinePropagator to accept B3 or Jaeger) and return it as data.
 */
export function extractCarrier<C>(
  carrier: C,
  getter: TextMapGetter<C>,
  propagator: TextMapPropagator = w3cPropagator,
): TraceCarrier | undefined {
  return contextToCarrier(propagator.extract(ROOT_CONTEXT, carrier, getter));
}

/** Write a carrier's context into any carrier with `propagator` (default plain W3C). */
export function injectCarrier<C>(
  traceCarrier: TraceCarrier | undefined,
  carrier: C,
  setter: TextMapSetter<C>,
  propagator: TextMapPropagator = w3cPropagator,
): void {
  const context = carrierToContext(traceCarrier);
  if (trace.getSpanContext(context) === undefined) return;
  propagator.inject(context, carrier, setter);
}

/**
 * A child of `traceCarrier`: same trace id, a new parent id (`newSpanId`, or a random one),
 * flags and tracestate kept, baggage kept. Undefined when the carrier or `newSpanId` is invalid.
 */
export function childCarrier(traceCarrier: TraceCarrier | undefined, spanId?: string): TraceCarrier | undefined {
  if (spanId !== undefined && !isValidSpanIdHex(spanId)) return undefined;
  const context = carrierToContext(traceCarrier);
  const parent = trace.getSpanContext(context);
  if (parent === undefined) return undefined;
  return contextToCarrier(trace.setSpanContext(context, { ...parent, spanId: spanId ?? newSpanId(), isRemote: false }));
}

/** The carrier of a new trace: random ids, so the random flag is set; sampled as asked. */
export function newRootCarrier(sampled: boolean): TraceCarrier {
  const traceparent = formatTraceparent({
    traceId: newTraceId(),
    parentId: newSpanId(),
    traceFlags: FLAG_RANDOM | (sampled ? FLAG_SAMPLED : 0),
  }) as string; // fresh ids are always valid
  return { traceparent };
}

/**
 * True for an object whose traceparent is valid and whose tracestate and baggage, when present,
 * are strings that are entirely valid (nothing would be dropped when reading them).
 */
export function isValidCarrier(value: unknown): value is TraceCarrier {
  if (typeof value !== 'object' || value === null) return false;
  const { traceparent, tracestate, baggage } = value as Record<string, unknown>;
  if (typeof traceparent !== 'string' || parseTraceparent(traceparent) === undefined) return false;
  if (tracestate !== undefined && (typeof tracestate !== 'string' || StrictTraceState.parse(tracestate) === undefined)) {
    return false;
  }
  if (baggage !== undefined) {
    if (typeof baggage !== 'string') return false;
    const parsed = parseBaggageHeader(baggage);
    if (parsed.invalidMembers + parsed.duplicateMembers + parsed.droppedMembers > 0) return false;
  }
  return true;
}
