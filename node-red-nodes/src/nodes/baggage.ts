// `threadline-baggage`: set, read and remove W3C baggage entries of the trace on the message.
// Keys must be header tokens and the whole header must stay within the W3C limits (64 members,
// 8192 bytes): an entry that would not fit is refused, never cut. The rules apply at the edges:
// trace in keeps only what they accept from callers, inject sends each destination only what
// they forward there, and span nodes copy only the keys they allow onto spans.
import { isBaggageKey, MAX_BAGGAGE_BYTES, MAX_BAGGAGE_MEMBERS, parseBaggage, serializeBaggage, W3CBaggage } from '@threadline/connectors';
import { readMessageTrace, writeBaggage } from '../message-context';
import { getMessageProperty, setMessageProperty } from './message-path';
import type { NodeDefinition, NodeRedApi, RuntimeNode } from './node-red';
import { onTracedInput, showTrace } from './node-kit';

export const BAGGAGE_TYPE = 'threadline-baggage';

export type BaggageOperation = 'set' | 'get' | 'remove' | 'clear';
const OPERATIONS: readonly BaggageOperation[] = ['set', 'get', 'remove', 'clear'];

function valueOf(definition: NodeDefinition, msg: Record<string, unknown>): string {
  if (definition.valueType === 'msg') {
    const value = getMessageProperty(msg, String(definition.value ?? ''));
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new Error(`${BAGGAGE_TYPE}: msg.${String(definition.value)} must be a string, number or boolean to go into baggage`);
  }
  return typeof definition.value === 'string' ? definition.value : '';
}

export default function register(RED: NodeRedApi): void {
  function BaggageNode(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    startBaggageNode(this, definition);
  }

  function startBaggageNode(node: RuntimeNode, definition: NodeDefinition): void {
    const operation = OPERATIONS.includes(definition.operation as BaggageOperation) ? (definition.operation as BaggageOperation) : 'set';
    const key = typeof definition.key === 'string' ? definition.key.trim() : '';
    const property = (typeof definition.property === 'string' && definition.property.trim()) || 'baggage';

    onTracedInput(node, (msg) => {
      const started = performance.now();
      const current = readMessageTrace(msg);
      if (current === undefined) throw new Error(`${BAGGAGE_TYPE}: the message carries no trace (msg.threadline); put a trace in node first`);
      if ((operation === 'set' || operation === 'remove') && !isBaggageKey(key)) {
        throw new Error(`${BAGGAGE_TYPE}: key "${key}" is not a valid baggage key (letters, digits and !#$%&'*+-.^_\`|~ only)`);
      }
      const baggage = parseBaggage(current.baggage) ?? W3CBaggage.empty();
      switch (operation) {
        case 'set': {
          const header = serializeBaggage(baggage.setEntry(key, { value: valueOf(definition, msg) }));
          if (parseBaggage(header)?.getEntry(key) === undefined) {
            throw new Error(`${BAGGAGE_TYPE}: "${key}" does not fit: baggage holds at most ${MAX_BAGGAGE_MEMBERS} entries and ${MAX_BAGGAGE_BYTES} bytes`);
          }
          writeBaggage(msg, header);
          break;
        }
        case 'remove':
          writeBaggage(msg, serializeBaggage(baggage.removeEntry(key)));
          break;
        case 'clear':
          writeBaggage(msg, undefined);
          break;
        case 'get': {
          if (key !== '') {
            setMessageProperty(msg, property, baggage.getEntry(key)?.value);
          } else {
            const all: Record<string, string> = {};
            for (const [name, entry] of baggage.getAllEntries()) all[name] = entry.value;
            setMessageProperty(msg, property, all);
          }
          break;
        }
      }
      showTrace(node, current.traceparent, performance.now() - started);
    });
  }
  RED.nodes.registerType(BAGGAGE_TYPE, BaggageNode);
}
