// `threadline-span-end`: closes the span a span start node opened: the innermost open one, or
// the innermost with the name in its form. Spans opened inside it and never closed are ended too,
// marked incomplete. A message carrying `msg.error` (after a Catch node) ends the span as an error.
// When an `http request` failed, msg.headers still holds the request headers an inject node wrote
// (a response would have replaced them and added the node's mark): span end removes the trace
// fields from them, so they do not reach an `http response` after it.
import type { EndRecordOptions, RecordAttributes, SpanRecord, Threadline } from '@threadline/connectors';
import { REQUEST_NODE_MARK } from '../auto/http-request-headers';
import { popSpan } from '../message-context';
import type { NodeDefinition, NodeRedApi, RuntimeNode } from './node-red';
import { msSince, onTracedInput, requireEntry, showConfigProblem, showTrace } from './node-kit';

export const SPAN_END_TYPE = 'threadline-span-end';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** What the message says about the outcome: an error from a Catch node, an HTTP status. */
function outcomeOf(msg: Record<string, unknown>): EndRecordOptions {
  const options: EndRecordOptions = {};
  const attributes: RecordAttributes = {};
  if (typeof msg.statusCode === 'number' && Number.isInteger(msg.statusCode)) attributes['http.response.status_code'] = msg.statusCode;
  if (Object.keys(attributes).length > 0) options.attributes = attributes;
  if (isObject(msg.error)) {
    const error = new Error(typeof msg.error.message === 'string' ? msg.error.message : 'error');
    if (isObject(msg.error.source) && typeof msg.error.source.type === 'string') error.name = msg.error.source.type;
    options.error = error;
  }
  return options;
}

/** Trace fields left in request headers that never went out as a request (no response mark). */
function removeUnsentTraceHeaders(msg: Record<string, unknown>, fields: readonly string[]): void {
  const headers = msg.headers;
  if (!isObject(headers) || Array.isArray(headers) || REQUEST_NODE_MARK in headers) return;
  const names = new Set(fields.map((field) => field.toLowerCase()));
  const kept = Object.fromEntries(Object.entries(headers).filter(([key]) => !names.has(key.toLowerCase())));
  if (Object.keys(kept).length !== Object.keys(headers).length) msg.headers = kept;
}

/**
 * Every record a span start opens is tracked by the pipeline until it ends. One that is no
 * longer tracked was already ended: by another copy of the message (a fan-out reaching two
 * span ends), or at the deadline, or when its configuration was redeployed. Ending it again
 * would export a second span with the same id.
 */
function endOnce(threadline: Threadline, record: SpanRecord, options: EndRecordOptions): 'ended' | 'already ended' {
  if (!threadline.pipeline.untrackRecord(record)) return 'already ended';
  const result = threadline.pipeline.endRecord(record, options);
  if (result.outcome === 'invalid') throw new Error(`${SPAN_END_TYPE}: the span record on the message is not valid: ${(result.problems ?? []).join('; ')}`);
  return 'ended';
}

export default function register(RED: NodeRedApi): void {
  function SpanEndNode(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    startSpanEndNode(this, definition);
  }

  function startSpanEndNode(node: RuntimeNode, definition: NodeDefinition): void {
    showConfigProblem(node, definition.config);
    const spanName = typeof definition.spanName === 'string' ? definition.spanName.trim() : '';

    onTracedInput(node, (msg) => {
      const { threadline } = requireEntry(node, definition.config);
      removeUnsentTraceHeaders(msg, threadline.propagator.fields());
      const { record, inner } = popSpan(msg, spanName);
      if (record === undefined) {
        const which = spanName === '' ? 'no open span' : `no open span named "${spanName}"`;
        throw new Error(`${SPAN_END_TYPE}: ${which} on msg.threadline; put a span start node before this one on the same path`);
      }
      for (const left of inner) endOnce(threadline, left, { incomplete: true });
      const outcome = endOnce(threadline, record, outcomeOf(msg));
      showTrace(node, record.traceId, outcome === 'ended' ? msSince(record.startTimeUnixNano) : outcome);
    });

  }
  RED.nodes.registerType(SPAN_END_TYPE, SpanEndNode);
}
