// What every query needs to know about one trace, derived once per trace version: spans by start
// time, roots, time range, services, flows, errors, and the parents that never arrived.
import type { FlowStepRef, MissingParent, StepLabel } from '../api/contract';
import type { StoredSpan, StoredTrace } from '../store/trace-store';
import { flowKey, flowStepOf } from './flow-step';
import { endMsOf, serviceOf, SPAN_KIND_CONSUMER, SPAN_KIND_SERVER, startMsOf, STATUS_ERROR, stepLabelOf } from './span-view';

export interface FactSpan {
  span: StoredSpan;
  startMs: number;
  endMs: number;
  service: string;
  step?: FlowStepRef;
  /** Memo of the context-break matcher: keys of the servers a CLIENT/PRODUCER span called. */
  targetKeys?: string[];
}

export interface TraceFacts {
  trace: StoredTrace;
  /** By start time. */
  spans: FactSpan[];
  /** Spans without a parent, by start time. */
  roots: FactSpan[];
  startMs: number;
  endMs: number;
  services: string[];
  /** Flow keys (platform:id) in order of first appearance, with the first span of each. */
  flows: Map<string, FactSpan>;
  errorCount: number;
  missingParents: MissingParent[];
  /** Parent ids that are missing but excused: the entry span's caller outside the system. */
  externalParent?: { parentSpanId: string; entry: StepLabel };
  /** Span ids whose parent is missing and not excused. */
  orphanIds: Set<string>;
}

const cache = new WeakMap<StoredTrace, { version: number; facts: TraceFacts }>();

export function traceFacts(trace: StoredTrace): TraceFacts {
  const cached = cache.get(trace);
  if (cached !== undefined && cached.version === trace.version) return cached.facts;
  const facts = computeFacts(trace);
  cache.set(trace, { version: trace.version, facts });
  return facts;
}

function computeFacts(trace: StoredTrace): TraceFacts {
  const spans: FactSpan[] = [];
  for (const span of trace.spans.values()) {
    const fact: FactSpan = { span, startMs: startMsOf(span), endMs: endMsOf(span), service: serviceOf(span) };
    const step = flowStepOf(span.attributes, span.resource);
    if (step !== undefined) fact.step = step;
    spans.push(fact);
  }
  spans.sort((a, b) => a.startMs - b.startMs || a.span.spanId.localeCompare(b.span.spanId));

  const services: string[] = [];
  const flows = new Map<string, FactSpan>();
  let errorCount = 0;
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const fact of spans) {
    if (!services.includes(fact.service)) services.push(fact.service);
    if (fact.step !== undefined && !flows.has(flowKey(fact.step))) flows.set(flowKey(fact.step), fact);
    if (fact.span.status.code === STATUS_ERROR) errorCount++;
    startMs = Math.min(startMs, fact.startMs);
    endMs = Math.max(endMs, fact.endMs);
  }

  // Parents that never arrived, and the one excuse: the trace's earliest span is a SERVER or
  // CONSUMER span whose caller is outside the observed system.
  const byMissingParent = new Map<string, FactSpan[]>();
  for (const fact of spans) {
    const parent = fact.span.parentSpanId;
    if (parent === undefined || trace.spans.has(parent)) continue;
    const children = byMissingParent.get(parent) ?? [];
    children.push(fact);
    byMissingParent.set(parent, children);
  }
  const earliest = spans[0];
  let externalParent: TraceFacts['externalParent'];
  if (earliest !== undefined && earliest.span.parentSpanId !== undefined && byMissingParent.has(earliest.span.parentSpanId)) {
    const kind = earliest.span.kind;
    if (kind === SPAN_KIND_SERVER || kind === SPAN_KIND_CONSUMER) {
      externalParent = { parentSpanId: earliest.span.parentSpanId, entry: stepLabelOf(earliest.span) };
      byMissingParent.delete(earliest.span.parentSpanId);
    }
  }
  const missingParents: MissingParent[] = [];
  const orphanIds = new Set<string>();
  for (const [parentSpanId, children] of byMissingParent) {
    missingParents.push({ parentSpanId, children: children.map((child) => stepLabelOf(child.span)), childSpanIds: children.map((child) => child.span.spanId) });
    for (const child of children) orphanIds.add(child.span.spanId);
  }

  const facts: TraceFacts = {
    trace,
    spans,
    roots: spans.filter((fact) => fact.span.parentSpanId === undefined),
    startMs: spans.length > 0 ? startMs : 0,
    endMs: spans.length > 0 ? endMs : 0,
    services,
    flows,
    errorCount,
    missingParents,
    orphanIds,
  };
  if (externalParent !== undefined) facts.externalParent = externalParent;
  return facts;
}
