// Continue Trace: the caller's context from the trigger's headers (or a field the user names),
// through the paired-item lineage when a node in between replaced the item, else a new trace;
// joined to n8n's own trace when n8n 2.19+ traces the workflow. Records one span for the step,
// puts the trace on the item and the trace id into the execution's custom data.
import type { HeaderMap, RecordAttributes, TraceCarrier } from '../connectors';
import { extractCarrier, headerMapGetter, parseBaggageHeader, parseTraceparent, recordToCarrier } from '../connectors';
import { acceptedBaggage } from '../baggage-rules';
import { writeExecutionTrace } from '../execution-trace';
import { newItemTrace } from '../item-trace';
import { findInLineage } from '../lineage';
import { probeN8nTracing } from '../n8n-tracing';
import type { Operation, OperationContext } from './context';
import { attributesParameter, fail, stringParameter, valueAtPath, withTrace } from './context';

/** Where the context came from, recorded as threadline.context.source. */
type ContextSource = 'item' | 'lineage' | 'new';

/** A header map (Webhook node output) or a carrier object, read strictly by the W3C codecs. */
function carrierFromValue(value: unknown): TraceCarrier | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return extractCarrier(value as HeaderMap, headerMapGetter);
}

function hasTraceHeaders(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).some((key) => key.toLowerCase() === 'traceparent');
}

function inboundContext(ctx: OperationContext): { carrier?: TraceCarrier; source: ContextSource } {
  if (stringParameter(ctx, 'contextSource', 'headers') === 'newTrace') return { source: 'new' };
  const path = stringParameter(ctx, 'headersField', 'headers').trim() || 'headers';
  const own = valueAtPath(ctx.item.json, path);
  if (own !== undefined && own !== null) {
    if (typeof own !== 'object' || Array.isArray(own)) fail(ctx, `Item ${ctx.itemIndex}: the field "${path}" is not an object of headers`);
    const carrier = carrierFromValue(own);
    // Invalid or absent context in the caller's headers: a new trace (W3C Trace Context restart).
    return carrier ? { carrier, source: 'item' } : { source: 'new' };
  }
  const found = findInLineage(ctx.fn, ctx.itemIndex, (json) => {
    const value = valueAtPath(json, path);
    return hasTraceHeaders(value) ? carrierFromValue(value) : undefined;
  });
  return found ? { carrier: found, source: 'lineage' } : { source: 'new' };
}

function sameTrace(a: TraceCarrier, b: TraceCarrier): boolean {
  return parseTraceparent(a.traceparent)?.traceId === parseTraceparent(b.traceparent)?.traceId;
}

async function n8nContext(ctx: OperationContext): Promise<TraceCarrier | undefined> {
  if (ctx.fn.getNodeParameter('joinN8nTracing', ctx.itemIndex, true) !== true) return undefined;
  // One probe per call: every item of this run shares n8n's span for this node.
  if (ctx.state.n8nContext === undefined) ctx.state.n8nContext = (await probeN8nTracing(ctx.fn, ctx.settings)) ?? null;
  return ctx.state.n8nContext ?? undefined;
}

/** The trace id into the execution's custom data; n8n keeps at most 10 keys, which must not fail the step. */
function recordExecutionTrace(ctx: OperationContext, carrier: TraceCarrier): void {
  try {
    if (!writeExecutionTrace(ctx.fn, ctx.itemIndex, carrier)) {
      ctx.fn.logger.warn("Threadline: the trace id is not recorded in the execution's custom data (not available here, or its 10 keys are taken)");
    }
  } catch (error) {
    ctx.fn.logger.warn(`Threadline: could not write the trace id into the execution's custom data: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const continueTrace: Operation = async (ctx) => {
  const inbound = inboundContext(ctx);
  const baggage = acceptedBaggage(ctx.rules, inbound.carrier?.baggage);
  const n8n = await n8nContext(ctx);
  // n8n's node span already hangs under the caller's span (n8n reads the webhook's traceparent),
  // so it is the better parent; a caller's trace that n8n did not adopt keeps priority.
  const parent = n8n !== undefined && (inbound.carrier === undefined || sameTrace(n8n, inbound.carrier)) ? n8n : inbound.carrier;

  const workflow = ctx.fn.getWorkflow();
  const attributes: RecordAttributes = {
    'n8n.workflow.id': workflow.id ?? '',
    'n8n.workflow.name': workflow.name ?? '',
    'n8n.execution.id': ctx.fn.getExecutionId() ?? '',
    'n8n.node.name': ctx.fn.getNode().name,
    'threadline.context.source': inbound.source,
    ...(ctx.rules.baggage.spanAttributes(parseBaggageHeader(baggage).baggage) as RecordAttributes),
    ...attributesParameter(ctx),
  };
  if (n8n !== undefined) attributes['threadline.n8n.tracing'] = true;
  const name = stringParameter(ctx, 'spanName').trim() || `n8n ${workflow.name ?? 'workflow'}`;
  const record = ctx.batch.open({ name, kind: 'internal', parent, attributes });
  ctx.batch.end(record);

  const carrier: TraceCarrier = { ...recordToCarrier(record)! };
  if (baggage !== '') carrier.baggage = baggage;
  if (ctx.itemIndex === 0) recordExecutionTrace(ctx, carrier);
  return withTrace(ctx, newItemTrace(carrier, n8n !== undefined));
};
