// One trace as a tree for the terminal: a line per span under its parent, with the service, the
// Node-RED node it ran in, when it started (from the trace's start) and how long it took.
import type { ApiSpan, ContextBreak, TraceDetailResponse } from '@threadline/collector';

function milliseconds(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

interface Row {
  span: string;
  service: string;
  node: string;
  start: string;
  duration: string;
  outcome: string;
}

function rowOf(span: ApiSpan, depth: number, traceStartMs: number): Row {
  const status = span.attributes['http.response.status_code'];
  const error = span.status.code === 'error' ? `ERROR${span.status.message ? ` ${span.status.message}` : ''}` : '';
  return {
    span: `${'  '.repeat(depth)}${span.kind.toUpperCase()} ${span.name}`,
    service: span.service,
    node: span.flow === undefined ? '' : span.flow.nodeName,
    start: `+${milliseconds(span.startMs - traceStartMs)}`,
    duration: milliseconds(span.durationMs),
    outcome: [status === undefined ? '' : String(status), error].filter(Boolean).join(' '),
  };
}

function formatRows(rows: Row[]): string[] {
  const width = (key: keyof Row): number => Math.max(...rows.map((row) => row[key].length));
  const [span, service, node, start, duration] = (['span', 'service', 'node', 'start', 'duration'] as const).map(width) as [number, number, number, number, number];
  return rows.map((row) => `  ${row.span.padEnd(span)}  ${row.service.padEnd(service)}  ${row.node.padEnd(node)}  ${row.start.padStart(start)}  ${row.duration.padStart(duration)}  ${row.outcome}`.trimEnd());
}

/** The trace as lines of text: a heading, then the spans as a tree (orphans at the top level). */
export function formatTraceTree(detail: TraceDetailResponse): string {
  const { summary, spans, audit } = detail;
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, ApiSpan[]>();
  const tops: ApiSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId !== undefined && ids.has(span.parentSpanId)) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
    else tops.push(span);
  }
  const rows: Row[] = [{ span: 'span', service: 'service', node: 'Node-RED node', start: 'start', duration: 'duration', outcome: '' }];
  const walk = (span: ApiSpan, depth: number): void => {
    rows.push(rowOf(span, depth, summary.startMs));
    for (const child of children.get(span.spanId) ?? []) walk(child, depth + 1); // spans come sorted by start
  };
  for (const top of tops) walk(top, 0);
  const lines = [
    `trace ${summary.traceId}: ${summary.spanCount} spans in ${milliseconds(summary.durationMs)}, ${audit.complete ? 'complete' : 'INCOMPLETE'}`,
    `  services: ${summary.services.join(' → ')}`,
    ...formatRows(rows),
  ];
  for (const missing of audit.missingParents) lines.push(`  ! the parent of ${missing.children.map((child) => child.label).join(', ')} (span ${missing.parentSpanId}) never arrived`);
  for (const found of audit.contextBreaks) lines.push(`  ! ${found.reason}`);
  return lines.join('\n');
}

/** Context breaks of many traces, one line per place the context was lost, with how often. */
export function summariseBreaks(breaks: ContextBreak[]): string[] {
  const counts = new Map<string, number>();
  for (const found of breaks) {
    const where = `context lost at ${found.at.label}, right after ${found.from.label}`;
    counts.set(where, (counts.get(where) ?? 0) + 1);
  }
  return [...counts].map(([where, count]) => `${where} (${count} ${count === 1 ? 'trace' : 'traces'})`);
}
