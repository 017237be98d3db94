// The trace as it travels on an n8n item: plain data under `item.json.threadline`, so it survives
// n8n's item copies, queue-mode workers and waiting executions. `traceparent`, `tracestate` and
// `baggage` are the current context (what an outbound call carries); `open` holds the span
// records opened by Start Span (innermost last) and `base` the context under them.
import type { IDataObject } from 'n8n-workflow';
import type { SpanRecord, TraceCarrier } from './connectors';
import { isValidCarrier, parseTraceparent, recordToCarrier, validateRecord } from './connectors';

/** Field of `item.json` that holds the trace. */
export const ITEM_TRACE_FIELD = 'threadline';

export interface ItemTrace extends TraceCarrier {
  /** The trace id, for expressions and for finding the execution by trace. */
  traceId: string;
  /** The context below the open spans (the Continue Trace span); baggage lives in `baggage` only. */
  base: TraceCarrier;
  /** Spans opened by Start Span (or Outbound Headers) and not yet ended, innermost last. */
  open: SpanRecord[];
  /** True when n8n's own tracing (2.19+) was found: n8n then owns outbound `traceparent`. */
  n8nTracing?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function carrierOf(value: Record<string, unknown>): TraceCarrier | undefined {
  const carrier: TraceCarrier = { traceparent: String(value.traceparent) };
  if (typeof value.tracestate === 'string' && value.tracestate !== '') carrier.tracestate = value.tracestate;
  if (typeof value.baggage === 'string' && value.baggage !== '') carrier.baggage = value.baggage;
  return isValidCarrier(carrier) ? carrier : undefined;
}

/**
 * The trace held in `value` (an item's `threadline` field), or undefined when it is not one.
 * Accepts a bare carrier too ({ traceparent, tracestate?, baggage? }), e.g. one a Code node built.
 */
export function readItemTrace(value: unknown): ItemTrace | undefined {
  if (!isObject(value) || typeof value.traceparent !== 'string') return undefined;
  const current = carrierOf(value);
  if (current === undefined) return undefined;
  const base = isObject(value.base) ? carrierOf({ traceparent: value.base.traceparent, tracestate: value.base.tracestate }) : undefined;
  const open = Array.isArray(value.open) ? value.open.filter((record) => validateRecord(record).length === 0) as SpanRecord[] : [];
  const trace: ItemTrace = { ...current, traceId: parseTraceparent(current.traceparent)!.traceId, base: base ?? contextOnly(current), open };
  if (value.n8nTracing === true) trace.n8nTracing = true;
  return trace;
}

/** traceparent and tracestate of a carrier, without its baggage. */
export function contextOnly(carrier: TraceCarrier): TraceCarrier {
  return carrier.tracestate === undefined ? { traceparent: carrier.traceparent } : { traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

/** A trace whose current context is `carrier`, with no open span. */
export function newItemTrace(carrier: TraceCarrier, n8nTracing: boolean): ItemTrace {
  const trace: ItemTrace = { ...carrier, traceId: parseTraceparent(carrier.traceparent)!.traceId, base: contextOnly(carrier), open: [] };
  if (n8nTracing) trace.n8nTracing = true;
  return trace;
}

/** The innermost open span, if any. */
export function currentSpan(trace: ItemTrace): SpanRecord | undefined {
  return trace.open[trace.open.length - 1];
}

/** Recomputes the current context from the open spans (or the base), keeping the baggage. */
function withCurrentContext(trace: ItemTrace): ItemTrace {
  const top = currentSpan(trace);
  const context = (top && recordToCarrier(top)) ?? trace.base;
  const next: ItemTrace = { ...trace, traceparent: context.traceparent };
  if (context.tracestate === undefined) delete next.tracestate;
  else next.tracestate = context.tracestate;
  return next;
}

export function pushSpan(trace: ItemTrace, record: SpanRecord): ItemTrace {
  return withCurrentContext({ ...trace, open: [...trace.open, record] });
}

/** Removes the span at `index` (and so closes it on the item); inner spans stay open. */
export function removeSpan(trace: ItemTrace, index: number): ItemTrace {
  return withCurrentContext({ ...trace, open: trace.open.filter((_record, i) => i !== index) });
}

export function replaceSpan(trace: ItemTrace, index: number, record: SpanRecord): ItemTrace {
  return withCurrentContext({ ...trace, open: trace.open.map((existing, i) => (i === index ? record : existing)) });
}

export function withBaggage(trace: ItemTrace, baggage: string): ItemTrace {
  const next: ItemTrace = { ...trace };
  if (baggage === '') delete next.baggage;
  else next.baggage = baggage;
  return next;
}

/** The trace as JSON for `item.json.threadline` (deep copies, no shared objects between items). */
export function itemTraceJson(trace: ItemTrace): IDataObject {
  return JSON.parse(JSON.stringify(trace)) as IDataObject;
}
