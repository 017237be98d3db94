// The trace as it rides on a Node-RED message, shared by the nodes and the automatic-tracing
// plugin. Only plain strings and plain span records go on the message: Node-RED deep-clones
// messages on fan-out, and a live object would not survive that, a redeploy or a restart.
//
//   msg.threadline = {
//     traceparent, tracestate?, baggage?   the context the flow is in (W3C header values)
//     spans?: SpanRecord[]                 open span records of span start nodes, innermost last
//   }
//
// The parent of anything a node does is the innermost open span record, else the carrier
// itself (`currentParent`). Writers never mutate the object they read: they put a new one on the
// message, so a message cloned earlier keeps its own stack.
import type { SpanRecord, TraceCarrier } from '@threadline/connectors';
import { parseTraceparent, recordToCarrier, validateRecord } from '@threadline/connectors';

/** The message property that carries the trace. */
export const MSG_PROPERTY = 'threadline';

/** What `msg.threadline` holds. */
export interface MessageTrace extends TraceCarrier {
  /** Open span records, innermost last. */
  spans?: SpanRecord[];
}

/** Any Node-RED message, as far as these helpers are concerned. */
export type TracedMessage = Record<string, unknown> & { threadline?: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The trace on the message, or undefined when there is none or its traceparent is not valid.
 * A tracestate or baggage that is not a string is left out; span records that are not valid are
 * left out of `spans` (they could not be ended anyway).
 */
export function readMessageTrace(msg: unknown): MessageTrace | undefined {
  if (!isObject(msg)) return undefined;
  const raw = msg[MSG_PROPERTY];
  if (!isObject(raw) || typeof raw.traceparent !== 'string' || parseTraceparent(raw.traceparent) === undefined) return undefined;
  const result: MessageTrace = { traceparent: raw.traceparent };
  if (typeof raw.tracestate === 'string' && raw.tracestate !== '') result.tracestate = raw.tracestate;
  if (typeof raw.baggage === 'string' && raw.baggage !== '') result.baggage = raw.baggage;
  const spans = Array.isArray(raw.spans) ? raw.spans.filter((record) => validateRecord(record).length === 0) : [];
  if (spans.length > 0) result.spans = spans as SpanRecord[];
  return result;
}

/** The W3C context on the message (without the span stack), or undefined. */
export function readCarrier(msg: unknown): TraceCarrier | undefined {
  const messageTrace = readMessageTrace(msg);
  if (messageTrace === undefined) return undefined;
  const { spans: _spans, ...carrier } = messageTrace;
  return carrier;
}

/** Puts `value` on the message as a fresh plain object (empty strings and stacks left out). */
export function writeMessageTrace(msg: TracedMessage, value: MessageTrace): void {
  const next: MessageTrace = { traceparent: value.traceparent };
  if (value.tracestate) next.tracestate = value.tracestate;
  if (value.baggage) next.baggage = value.baggage;
  if (value.spans && value.spans.length > 0) next.spans = value.spans.slice();
  msg[MSG_PROPERTY] = next;
}

/**
 * Sets the context the flow is in; open span records already on the message are kept unless
 * `keepSpans` is false (a new trace starts with an empty stack).
 */
export function writeCarrier(msg: TracedMessage, carrier: TraceCarrier, keepSpans = true): void {
  const spans = keepSpans ? readMessageTrace(msg)?.spans : undefined;
  writeMessageTrace(msg, { ...pickCarrier(carrier), ...(spans ? { spans } : {}) });
}

/** Sets (or, with undefined or '', removes) the baggage header value on the message's trace. */
export function writeBaggage(msg: TracedMessage, baggage: string | undefined): boolean {
  const current = readMessageTrace(msg);
  if (current === undefined) return false;
  writeMessageTrace(msg, { ...current, baggage: baggage || undefined });
  return true;
}

/** Removes the trace from the message. */
export function clearMessageTrace(msg: TracedMessage): void {
  delete msg[MSG_PROPERTY];
}

/** Open span records on the message, innermost last (a copy). */
export function openSpans(msg: unknown): SpanRecord[] {
  return readMessageTrace(msg)?.spans?.slice() ?? [];
}

/**
 * Pushes a record opened by a span start node. The message must already carry a trace (the
 * record's parent); when it does not, the record's own context becomes the message's carrier.
 */
export function pushSpan(msg: TracedMessage, record: SpanRecord): void {
  const current = readMessageTrace(msg) ?? recordToCarrier(record);
  if (current === undefined) return; // an invalid record: nothing sensible to carry
  const spans = [...((current as MessageTrace).spans ?? []), record];
  writeMessageTrace(msg, { ...current, spans });
}

export interface PoppedSpans {
  /** The record that was asked for, or undefined when none matched. */
  record: SpanRecord | undefined;
  /** Records opened inside it and still open: they were left open by the flow, end them as incomplete. */
  inner: SpanRecord[];
}

/**
 * Removes the innermost open record, or with `name` the innermost record of that name, plus any
 * records opened inside it (returned in `inner`, innermost first). Nothing matches → nothing changes.
 */
export function popSpan(msg: TracedMessage, name?: string): PoppedSpans {
  const current = readMessageTrace(msg);
  const spans = current?.spans ?? [];
  let index = spans.length - 1;
  if (name !== undefined && name !== '') {
    while (index >= 0 && spans[index].name !== name) index--;
  }
  if (current === undefined || index < 0) return { record: undefined, inner: [] };
  const record = spans[index];
  const inner = spans.slice(index + 1).reverse();
  writeMessageTrace(msg, { ...current, spans: spans.slice(0, index) });
  return { record, inner };
}

/**
 * Replaces the open record with the same span id by `record` (an event node adding to it).
 * False when the message has no such open record.
 */
export function replaceSpan(msg: TracedMessage, record: SpanRecord): boolean {
  const current = readMessageTrace(msg);
  const spans = current?.spans ?? [];
  const index = spans.findIndex((open) => open.spanId === record.spanId);
  if (current === undefined || index < 0) return false;
  const next = spans.slice();
  next[index] = record;
  writeMessageTrace(msg, { ...current, spans: next });
  return true;
}

/**
 * The parent of whatever a node does with this message: the innermost open span record as a
 * carrier (with the message's baggage), else the message's carrier; undefined when the message
 * carries no trace.
 */
export function currentParent(msg: unknown): TraceCarrier | undefined {
  const current = readMessageTrace(msg);
  if (current === undefined) return undefined;
  const innermost = current.spans?.[current.spans.length - 1];
  const fromRecord = innermost ? recordToCarrier(innermost) : undefined;
  const parent = fromRecord ?? pickCarrier(current);
  if (current.baggage) parent.baggage = current.baggage;
  else delete parent.baggage;
  return parent;
}

function pickCarrier(carrier: TraceCarrier): TraceCarrier {
  const result: TraceCarrier = { traceparent: carrier.traceparent };
  if (carrier.tracestate) result.tracestate = carrier.tracestate;
  if (carrier.baggage) result.baggage = carrier.baggage;
  return result;
}
