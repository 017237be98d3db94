// Reading one trace as it arrived at the OTLP receiver: parent links, ancestor chains and the
// service that sent each span, for end-to-end suites that span several processes.
import { parseTraceparent } from '../../connectors/src';
import type { Traceparent } from '../../connectors/src';
import type { ReceivedSpan } from './otlp-receiver-client';

export function serviceOf(span: ReceivedSpan): string {
  return String(span.resource['service.name'] ?? '');
}

/** The chain from `span` up to (not including) the first span whose parent is not stored. */
export function ancestors(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((each) => [each.spanId, each]));
  const chain: ReceivedSpan[] = [];
  let current = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
  while (current && !chain.includes(current)) {
    chain.push(current);
    current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
  }
  return chain;
}

/** Spans whose parent is set but was not received (the caller's span is expected to be one). */
export function danglingParents(spans: ReceivedSpan[]): string[] {
  const ids = new Set(spans.map((span) => span.spanId));
  return [...new Set(spans.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId)).map((span) => span.parentSpanId!))];
}

/** A compact tree for failure messages: one line per span, indented under its parent. */
export function describeTrace(spans: ReceivedSpan[]): string {
  const children = new Map<string | undefined, ReceivedSpan[]>();
  const ids = new Set(spans.map((span) => span.spanId));
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const span of children.get(parent) ?? []) {
      lines.push(`${'  '.repeat(depth)}${span.name} [${serviceOf(span)}, kind ${span.kind}] ${span.traceId}/${span.spanId}${span.parentSpanId ? ` ← ${span.parentSpanId}` : ''}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

/** The traceparent a server received, parsed by the connectors' codec; throws when it is not valid. */
export function receivedTraceparent(value: unknown): Traceparent {
  const parsed = typeof value === 'string' || Array.isArray(value) ? parseTraceparent(value as string | string[]) : undefined;
  if (!parsed) throw new Error(`not a valid traceparent: ${JSON.stringify(value)}`);
  return parsed;
}
