// The answers of the query API, computed from the store: trace list, one trace, its audit and flow
// view, services, and the audit over a window. The cross-trace context-break matching is computed
// once per store revision and reused until the store changes.
import type {
  AuditReport,
  ContextBreak,
  FlowGroupView,
  FlowStepView,
  FlowView,
  ServiceListResponse,
  TraceAudit,
  TraceDetailResponse,
  TraceListResponse,
  TraceSummary,
} from '../api/contract';
import type { StoredTrace, TraceStore } from '../store/trace-store';
import { findContextBreaks, type ContextBreakIndex } from './context-breaks';
import { flowKey, nodeKey } from './flow-step';
import { STATUS_ERROR, toApiSpan } from './span-view';
import { traceFacts, type TraceFacts } from './trace-facts';
import { matchesFilter, type TraceFilter } from './trace-filter';

export const DEFAULT_AUDIT_WINDOW_MS = 15 * 60 * 1000;

export interface TraceQueriesOptions {
  /** A trace is judged only once no span arrived for this long. */
  settleMs: number;
  now?: () => number;
}

export class TraceQueries {
  private breaks: { revision: number; index: ContextBreakIndex } | undefined;
  private readonly now: () => number;

  constructor(
    private readonly store: TraceStore,
    private readonly options: TraceQueriesOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  private breakIndex(): ContextBreakIndex {
    if (this.breaks === undefined || this.breaks.revision !== this.store.revision) {
      this.breaks = { revision: this.store.revision, index: findContextBreaks(this.store) };
    }
    return this.breaks.index;
  }

  private settled(trace: StoredTrace): boolean {
    return this.now() - trace.lastReceivedMs >= this.options.settleMs;
  }

  private breaksOf(traceId: string): ContextBreak[] {
    return this.breakIndex().byTrace.get(traceId) ?? [];
  }

  private auditOf(facts: TraceFacts): TraceAudit {
    const contextBreaks = this.breaksOf(facts.trace.traceId);
    const audit: TraceAudit = {
      traceId: facts.trace.traceId,
      complete: facts.missingParents.length === 0 && contextBreaks.length === 0,
      settled: this.settled(facts.trace),
      spanCount: facts.spans.length,
      missingParents: facts.missingParents,
      contextBreaks,
    };
    if (facts.externalParent !== undefined) audit.externalParent = facts.externalParent;
    return audit;
  }

  private summaryOf(facts: TraceFacts): TraceSummary {
    const root = facts.roots[0] ?? facts.spans[0];
    return {
      traceId: facts.trace.traceId,
      rootName: root?.span.name ?? '',
      rootService: root?.service ?? '',
      services: facts.services,
      flows: [...facts.flows.keys()].map((key) => {
        const step = facts.flows.get(key)!.step!;
        return `${step.platform}:${step.flowName}`;
      }),
      spanCount: facts.spans.length,
      errorCount: facts.errorCount,
      status: facts.errorCount > 0 ? 'error' : 'ok',
      startMs: facts.startMs,
      durationMs: facts.endMs - facts.startMs,
      lastReceivedMs: facts.trace.lastReceivedMs,
      complete: facts.missingParents.length === 0 && this.breaksOf(facts.trace.traceId).length === 0,
      settled: this.settled(facts.trace),
    };
  }

  listTraces(filter: TraceFilter): TraceListResponse {
    const matched: TraceSummary[] = [];
    for (const trace of this.store.allTraces()) {
      const facts = traceFacts(trace);
      const summary = this.summaryOf(facts);
      if (matchesFilter(facts, summary, filter)) matched.push(summary);
    }
    matched.sort((a, b) => b.startMs - a.startMs);
    return { traces: matched.slice(0, filter.limit), matched: matched.length, limit: filter.limit };
  }

  traceDetail(traceId: string): TraceDetailResponse | undefined {
    const trace = this.store.trace(traceId);
    if (trace === undefined) return undefined;
    const facts = traceFacts(trace);
    return {
      summary: this.summaryOf(facts),
      spans: facts.spans.map(({ span }) => toApiSpan(span, span.parentSpanId !== undefined && !trace.spans.has(span.parentSpanId))),
      audit: this.auditOf(facts),
      flowView: flowViewOf(facts),
    };
  }

  traceSummary(traceId: string): TraceSummary | undefined {
    const trace = this.store.trace(traceId);
    return trace === undefined ? undefined : this.summaryOf(traceFacts(trace));
  }

  traceAudit(traceId: string): TraceAudit | undefined {
    const trace = this.store.trace(traceId);
    return trace === undefined ? undefined : this.auditOf(traceFacts(trace));
  }

  flowView(traceId: string): FlowView | undefined {
    const trace = this.store.trace(traceId);
    return trace === undefined ? undefined : flowViewOf(traceFacts(trace));
  }

  services(): ServiceListResponse {
    const byName = new Map<string, { name: string; spanCount: number; traceCount: number; errorCount: number; lastSeenMs: number }>();
    for (const trace of this.store.allTraces()) {
      const seen = new Set<string>();
      for (const fact of traceFacts(trace).spans) {
        let entry = byName.get(fact.service);
        if (entry === undefined) {
          entry = { name: fact.service, spanCount: 0, traceCount: 0, errorCount: 0, lastSeenMs: 0 };
          byName.set(fact.service, entry);
        }
        entry.spanCount++;
        if (fact.span.status.code === STATUS_ERROR) entry.errorCount++;
        entry.lastSeenMs = Math.max(entry.lastSeenMs, fact.span.receivedMs);
        if (!seen.has(fact.service)) {
          seen.add(fact.service);
          entry.traceCount++;
        }
      }
    }
    return { services: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)) };
  }

  auditReport(windowMs = DEFAULT_AUDIT_WINDOW_MS, limit = 100): AuditReport {
    const toMs = this.now();
    const fromMs = toMs - windowMs;
    let traceCount = 0;
    let completeCount = 0;
    let pendingCount = 0;
    const incomplete: TraceAudit[] = [];
    const inWindow = new Set<string>();
    for (const trace of this.store.allTraces()) {
      const facts = traceFacts(trace);
      if (trace.firstReceivedMs < fromMs || trace.firstReceivedMs > toMs) continue;
      inWindow.add(trace.traceId);
      if (!this.settled(trace)) {
        pendingCount++;
        continue;
      }
      traceCount++;
      const audit = this.auditOf(facts);
      if (audit.complete) completeCount++;
      else incomplete.push(audit);
    }
    incomplete.reverse();
    return {
      fromMs,
      toMs,
      traceCount,
      completeCount,
      completeShare: traceCount === 0 ? 1 : completeCount / traceCount,
      pendingCount,
      incomplete: incomplete.slice(0, limit),
      contextBreaks: this.breakIndex().all.filter((found) => inWindow.has(found.at.traceId)),
    };
  }
}

/** Spans grouped by flow and node, and the rest by service. */
export function flowViewOf(facts: TraceFacts): FlowView {
  const groups = new Map<string, FlowGroupView>();
  const steps = new Map<string, FlowStepView>();
  const services = new Map<string, string[]>();
  for (const fact of facts.spans) {
    const step = fact.step;
    if (step === undefined) {
      const list = services.get(fact.service) ?? [];
      list.push(fact.span.spanId);
      services.set(fact.service, list);
      continue;
    }
    const key = flowKey(step);
    let group = groups.get(key);
    if (group === undefined) {
      group = { platform: step.platform, flowName: step.flowName, steps: [], startMs: fact.startMs, durationMs: 0 };
      if (step.flowId !== undefined) group.flowId = step.flowId;
      groups.set(key, group);
    }
    group.durationMs = Math.max(group.durationMs, fact.endMs - group.startMs);
    const nodeId = nodeKey(step);
    let view = steps.get(nodeId);
    if (view === undefined) {
      view = { step, spanIds: [], startMs: fact.startMs, durationMs: 0, status: 'ok' };
      steps.set(nodeId, view);
      group.steps.push(view);
    }
    view.spanIds.push(fact.span.spanId);
    view.durationMs = Math.max(view.durationMs, fact.endMs - view.startMs);
    if (fact.span.status.code === STATUS_ERROR) view.status = 'error';
  }
  return {
    traceId: facts.trace.traceId,
    flows: [...groups.values()],
    services: [...services.entries()].map(([service, spanIds]) => ({ service, spanIds })),
  };
}
