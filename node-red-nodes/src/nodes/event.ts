// `threadline-event`: adds an event, or attributes, to the innermost span a span start node
// opened (the record on the message is updated; the span is exported when it ends). With no open
// span it records the event as a span of its own under the message's trace, so nothing is lost.
import type { SpanRecord } from '@threadline/connectors';
import { currentParent, openSpans, replaceSpan, writeCarrier } from '../message-context';
import { nodeAttributesOf } from '../node-attributes';
import { getMessageProperty } from './message-path';
import type { NodeDefinition, NodeRedApi, RuntimeNode } from './node-red';
import { NODE_SCOPE, nowUnixNano, onTracedInput, requireEntry, showConfigProblem, showTrace } from './node-kit';
import { staticAttributesOf, toAttributes } from './span-attributes';

export const EVENT_TYPE = 'threadline-event';

export type EventMode = 'event' | 'attributes';

export default function register(RED: NodeRedApi): void {
  function EventNode(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    startEventNode(this, definition);
  }

  function startEventNode(node: RuntimeNode, definition: NodeDefinition): void {
    showConfigProblem(node, definition.config);
    const mode: EventMode = definition.mode === 'attributes' ? 'attributes' : 'event';
    const eventName = (typeof definition.eventName === 'string' ? definition.eventName.trim() : '') || node.name || 'event';
    const property = typeof definition.property === 'string' ? definition.property.trim() : '';
    const placement = nodeAttributesOf(RED, node);
    const { attributes: staticAttributes, problem: attributesProblem } = staticAttributesOf(definition.attributes);

    onTracedInput(node, (msg) => {
      const started = performance.now();
      if (attributesProblem) throw attributesProblem;
      const { threadline } = requireEntry(node, definition.config);
      const fromMessage = property === '' ? {} : toAttributes(getMessageProperty(msg, property) ?? {}, `msg.${property}`);
      const attributes = { ...staticAttributes, ...fromMessage };
      const spans = openSpans(msg);
      const innermost = spans[spans.length - 1];
      if (innermost !== undefined) {
        const updated: SpanRecord =
          mode === 'event'
            ? { ...innermost, events: [...(innermost.events ?? []), { name: eventName, timeUnixNano: nowUnixNano(), attributes }] }
            : { ...innermost, attributes: { ...innermost.attributes, ...attributes } };
        replaceSpan(msg, updated);
        showTrace(node, innermost.traceId, performance.now() - started);
        return;
      }
      // No open span to add to: a short span of its own, under the message's context.
      const parent = currentParent(msg);
      const own = mode === 'attributes' ? { ...attributes, ...placement() } : placement();
      const record = threadline.pipeline.openRecord({ name: eventName, parent, attributes: own, scope: NODE_SCOPE });
      const events = mode === 'event' ? [{ name: eventName, timeUnixNano: record.startTimeUnixNano, attributes }] : undefined;
      threadline.pipeline.endRecord(record, events === undefined ? {} : { events });
      if (parent === undefined) {
        const carrier = threadline.pipeline.recordToCarrier(record);
        if (carrier !== undefined) writeCarrier(msg, carrier, false);
      }
      showTrace(node, record.traceId, performance.now() - started);
    });
  }
  RED.nodes.registerType(EVENT_TYPE, EventNode);
}
