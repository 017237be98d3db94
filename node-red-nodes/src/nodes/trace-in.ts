// `threadline-trace-in`: where a flow picks up the caller's trace. It reads the context from
// `http in`'s request, msg.headers, MQTT v5 user properties, AMQP headers or a named property,
// keeps only the baggage the rules accept from callers, records a short span for the flow's
// entry and puts the context on the message as plain strings (msg.threadline). With no valid
// context it starts a new trace.
// The entry span is internal and ends at once: the request's SERVER span belongs to whoever
// received it (the interceptor in front, or the automatic tracing's `http in` span); a second
// one here would count the request twice (see the node's help).
import { httpSemconv, parseBaggage, serializeBaggage } from '@threadline/connectors';
import type { RecordAttributes, TraceCarrier } from '@threadline/connectors';
import { writeCarrier } from '../message-context';
import { nodeAttributesOf } from '../node-attributes';
import type { ContextSource } from './context-sources';
import { CONTEXT_SOURCES, findContext } from './context-sources';
import type { NodeDefinition, NodeMessage, NodeRedApi, RuntimeNode } from './node-red';
import { NODE_SCOPE, onTracedInput, requireEntry, showConfigProblem, showTrace } from './node-kit';

export const TRACE_IN_TYPE = 'threadline-trace-in';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Span name and attributes for a request from `http in`; nothing for other sources. */
function httpRequestDetails(msg: NodeMessage): { name: string; attributes: RecordAttributes } | undefined {
  const req = msg.req;
  if (!isObject(req) || typeof req.method !== 'string') return undefined;
  const route = isObject(req.route) && typeof req.route.path === 'string' ? req.route.path : undefined;
  const target = typeof req.originalUrl === 'string' ? req.originalUrl : typeof req.url === 'string' ? req.url : '';
  const attributes: RecordAttributes = { 'http.request.method': req.method.toUpperCase(), 'url.path': target.split('?', 1)[0] };
  if (route !== undefined) attributes['http.route'] = route;
  return { name: httpSemconv.httpSpanName(req.method, route), attributes };
}

export default function register(RED: NodeRedApi): void {
  function TraceInNode(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    startTraceInNode(this, definition);
  }

  function startTraceInNode(node: RuntimeNode, definition: NodeDefinition): void {
    showConfigProblem(node, definition.config);
    const source = (CONTEXT_SOURCES as readonly string[]).includes(String(definition.source)) ? (definition.source as ContextSource) : 'auto';
    const property = typeof definition.property === 'string' ? definition.property : '';
    const spanName = typeof definition.spanName === 'string' ? definition.spanName.trim() : '';
    const placement = nodeAttributesOf(RED, node);

    onTracedInput(node, (msg) => {
      const started = performance.now();
      const { threadline } = requireEntry(node, definition.config);
      const found = findContext(msg, source, property, threadline.propagator);
      const http = httpRequestDetails(msg);
      const attributes: RecordAttributes = {
        ...(http?.attributes ?? {}),
        'threadline.context.source': found?.source ?? 'none',
        'threadline.context.continued': found !== undefined,
        ...placement(),
      };

      // Baggage from outside passes the accept rules before anything in the flow sees it.
      const rules = threadline.pipeline.redactionRules.current;
      const inbound = found?.carrier.baggage === undefined ? undefined : parseBaggage(found.carrier.baggage);
      const accepted = inbound === undefined ? undefined : rules.baggage.filterInbound(inbound);
      if (accepted !== undefined) Object.assign(attributes, rules.baggage.spanAttributes(accepted));

      const record = threadline.pipeline.openRecord({
        name: spanName || node.name || http?.name || 'trace in',
        kind: 'internal',
        parent: found?.carrier,
        attributes,
        scope: NODE_SCOPE,
      });
      threadline.pipeline.endRecord(record);
      const carrier = threadline.pipeline.recordToCarrier(record) as TraceCarrier; // fresh records are valid
      const baggage = accepted === undefined ? '' : serializeBaggage(accepted);
      if (baggage !== '') carrier.baggage = baggage;
      writeCarrier(msg, carrier, false); // a new entry into the flow starts with no open spans
      showTrace(node, record.traceId, performance.now() - started);
    });
  }
  RED.nodes.registerType(TRACE_IN_TYPE, TraceInNode);
}
