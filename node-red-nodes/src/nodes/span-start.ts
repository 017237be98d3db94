// `threadline-span-start`: opens a named span around a section of a flow. The span is a record
// (plain data) pushed on msg.threadline.spans, so it survives clones and the matching span end
// node closes exactly it; the pipeline also tracks it and ends it as incomplete when the flow
// never reaches a span end before the config node's deadline.
import { parseBaggage } from '@threadline/connectors';
import type { RecordAttributes, SpanRecordKind } from '@threadline/connectors';
import { currentParent, pushSpan } from '../message-context';
import { nodeAttributesOf } from '../node-attributes';
import type { NodeDefinition, NodeRedApi, RuntimeNode } from './node-red';
import { NODE_SCOPE, onTracedInput, requireEntry, showConfigProblem, showTrace } from './node-kit';
import { staticAttributesOf } from './span-attributes';

export const SPAN_START_TYPE = 'threadline-span-start';

const KINDS: readonly SpanRecordKind[] = ['internal', 'server', 'client', 'producer', 'consumer'];

export default function register(RED: NodeRedApi): void {
  function SpanStartNode(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    startSpanStartNode(this, definition);
  }

  function startSpanStartNode(node: RuntimeNode, definition: NodeDefinition): void {
    showConfigProblem(node, definition.config);
    const kind = KINDS.includes(definition.kind as SpanRecordKind) ? (definition.kind as SpanRecordKind) : 'internal';
    const spanName = (typeof definition.spanName === 'string' ? definition.spanName.trim() : '') || node.name || 'span';
    const placement = nodeAttributesOf(RED, node);
    const { attributes: staticAttributes, problem: attributesProblem } = staticAttributesOf(definition.attributes);

    onTracedInput(node, (msg) => {
      if (attributesProblem) throw attributesProblem;
      const { threadline, spanDeadlineMs } = requireEntry(node, definition.config);
      const parent = currentParent(msg);
      const baggage = parent?.baggage === undefined ? undefined : parseBaggage(parent.baggage);
      const fromBaggage = baggage === undefined ? {} : threadline.pipeline.redactionRules.current.baggage.spanAttributes(baggage);
      const record = threadline.pipeline.openRecord({
        name: spanName,
        kind,
        parent,
        // the node_red.* attributes last: they place the span in the flow view, whatever the form says
        attributes: { ...(fromBaggage as RecordAttributes), ...staticAttributes, ...placement() },
        scope: NODE_SCOPE,
      });
      threadline.pipeline.trackRecord(record, spanDeadlineMs);
      pushSpan(msg, record);
      showTrace(node, record.traceId, 'started');
    });
  }
  RED.nodes.registerType(SPAN_START_TYPE, SpanStartNode);
}
