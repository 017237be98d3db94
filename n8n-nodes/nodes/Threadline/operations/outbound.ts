// The headers an outbound call carries: a child context for the call, tracestate, and only the
// baggage members the rules let go to that destination.
import type { SpanRecord, TraceCarrier } from '../connectors';
import { httpClientRequestAttributes, httpSpanName, recordToCarrier } from '../connectors';
import { outboundBaggage } from '../baggage-rules';
import type { ItemTrace } from '../item-trace';
import { contextOnly, pushSpan } from '../item-trace';
import type { Operation, OperationContext } from './context';
import { fail, requireTrace, stringParameter, withTrace } from './context';

export interface OutboundCall {
  method: string;
  url: URL;
}

/** Method and URL parameters, checked. */
export function outboundCall(ctx: OperationContext): OutboundCall {
  const method = stringParameter(ctx, 'method', 'GET').toUpperCase();
  const text = stringParameter(ctx, 'url').trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(ctx, `URL "${text}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(ctx, `URL "${text}" must use http: or https:`);
  return { method, url };
}

/** A CLIENT span record for the call, a child of the item's current context. */
export function openClientSpan(ctx: OperationContext, trace: ItemTrace, call: OutboundCall, headers?: Record<string, string>): SpanRecord {
  return ctx.batch.open({
    name: httpSpanName(call.method),
    kind: 'client',
    parent: contextOnly(trace),
    attributes: httpClientRequestAttributes({ method: call.method, url: call.url, headers }) as SpanRecord['attributes'],
  });
}

/** traceparent / tracestate of `context`, and the baggage allowed to go to `url`. */
export function outboundHeaders(ctx: OperationContext, context: TraceCarrier, baggage: string | undefined, url: URL): Record<string, string> {
  const headers: Record<string, string> = { traceparent: context.traceparent };
  if (context.tracestate) headers.tracestate = context.tracestate;
  const allowed = outboundBaggage(ctx.rules, baggage, url.href);
  if (allowed !== '') headers.baggage = allowed;
  return headers;
}

/**
 * Outbound Headers: for the core HTTP Request node. Opens a CLIENT span for the call (ended by
 * End Span after the HTTP Request node, with its status code) and writes the headers onto the item.
 * The same on n8n 1.x and on n8n 2.19+ with its own tracing on: there n8n's helper replaces the
 * `traceparent` on the wire with its span for the HTTP Request node (we do not fight that, and the
 * callee hangs under n8n's node span), while this CLIENT span records the call with the HTTP
 * semantic conventions under the workflow's Threadline context, and End Span still has a span to
 * end. tracestate and the allowed baggage, which n8n does not pass on, stay on the wire.
 */
export const outboundHeadersOperation: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  const call = outboundCall(ctx);
  const field = stringParameter(ctx, 'headersOutputField', 'traceHeaders').trim() || 'traceHeaders';
  const record = openClientSpan(ctx, trace, call);
  const headers = outboundHeaders(ctx, recordToCarrier(record)!, trace.baggage, call.url);
  return withTrace(ctx, pushSpan(trace, record), { [field]: headers });
};
