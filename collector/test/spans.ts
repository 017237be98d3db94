// Spans for unit tests, in the decoder's shape, with readable defaults.
import type { ReceivedAttributes, ReceivedSpan } from '../src/otlp/decode';

let counter = 0;

/** A fresh span id (16 hex digits, never zero). */
export function spanId(): string {
  counter++;
  return counter.toString(16).padStart(16, '0');
}

/** A fresh trace id (32 hex digits, never zero). */
export function traceId(seed = spanId()): string {
  return `${'a'.repeat(16)}${seed}`.slice(-32).padStart(32, 'a');
}

export const T0_MS = 1_763_780_000_000;

export function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

export interface SpanSpec {
  traceId: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  /** OTLP kind: 1 internal, 2 server, 3 client. */
  kind?: number;
  service?: string;
  startMs?: number;
  durationMs?: number;
  attributes?: ReceivedAttributes;
  error?: boolean;
}

export function span(spec: SpanSpec): ReceivedSpan {
  const start = spec.startMs ?? T0_MS;
  const result: ReceivedSpan = {
    traceId: spec.traceId,
    spanId: spec.spanId ?? spanId(),
    flags: 1,
    name: spec.name ?? 'span',
    kind: spec.kind ?? 1,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(start + (spec.durationMs ?? 10)),
    attributes: spec.attributes ?? {},
    status: { code: spec.error === true ? 2 : 0 },
    events: [],
    links: [],
    resource: { 'service.name': spec.service ?? 'svc' },
    scope: { name: 'test' },
  };
  if (spec.parentSpanId !== undefined) result.parentSpanId = spec.parentSpanId;
  return result;
}

/** Node-RED flow-step attributes, as the nodes set them. */
export function nodeRed(flow: string, node: string, type = 'function'): ReceivedAttributes {
  return { 'node_red.flow.id': `flow-${flow}`, 'node_red.flow.name': flow, 'node_red.node.id': `node-${node}`, 'node_red.node.name': node, 'node_red.node.type': type };
}
