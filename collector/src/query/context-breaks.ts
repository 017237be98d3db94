// Where a trace lost its context: a root span of one trace matched with the caller span of another
// trace it most likely came from. The two rules and their limits are described in
// docs/collector.md ("Completeness audit"); in short:
// - client-server-match: a SERVER/CONSUMER root whose server a CLIENT/PRODUCER span of another
//   trace was calling at that moment;
// - same-flow-sequence: a root inside a Node-RED flow / n8n workflow, not where the other trace
//   entered that flow, started while or shortly after a step of the same flow ran in another trace.
import type { ContextBreak, StepLabel } from '../api/contract';
import type { TraceStore } from '../store/trace-store';
import { flowKey, nodeKey } from './flow-step';
import { SPAN_KIND_CLIENT, SPAN_KIND_CONSUMER, SPAN_KIND_PRODUCER, SPAN_KIND_SERVER, stepLabelOf } from './span-view';
import { traceFacts, type FactSpan, type TraceFacts } from './trace-facts';

/** Clock skew allowed between the caller's and the callee's process. */
export const CLOCK_SKEW_MS = 50;
/** How long after a flow step ended the next step of the same flow may start. */
export const FLOW_STEP_GAP_MS = 5000;
/** Most candidates looked at per root (keeps a pathological store from costing quadratic time). */
const MAX_CANDIDATES = 500;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

function attributeText(fact: FactSpan, key: string): string | undefined {
  const value = Object.prototype.hasOwnProperty.call(fact.span.attributes, key) ? fact.span.attributes[key] : undefined;
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}

function hostKey(host: string, port: string | undefined, scheme: string | undefined): string {
  const lower = host.toLowerCase();
  const normalised = LOOPBACK.has(lower) || lower.startsWith('127.') ? 'loopback' : lower;
  return `${normalised}:${port ?? DEFAULT_PORTS[scheme ?? 'http'] ?? ''}`;
}

/** The servers a CLIENT/PRODUCER span was calling, as keys comparable with serverKeys(). */
function targetKeys(fact: FactSpan): string[] {
  // Facts live as long as their trace version, so this is worked out once per span.
  fact.targetKeys ??= computeTargetKeys(fact);
  return fact.targetKeys;
}

function computeTargetKeys(fact: FactSpan): string[] {
  const keys: string[] = [];
  const address = attributeText(fact, 'server.address');
  if (address !== undefined) keys.push(hostKey(address, attributeText(fact, 'server.port'), attributeText(fact, 'url.scheme')));
  const full = attributeText(fact, 'url.full');
  if (full !== undefined) {
    try {
      const url = new URL(full);
      keys.push(hostKey(url.hostname, url.port || undefined, url.protocol.replace(':', '')));
    } catch {
      // not a URL: nothing to match on
    }
  }
  const peer = attributeText(fact, 'peer.service');
  if (peer !== undefined) keys.push(`service:${peer}`);
  return [...new Set(keys)];
}

/** What a SERVER/CONSUMER span answers to. */
function serverKeys(fact: FactSpan): string[] {
  const keys = [`service:${fact.service}`];
  const address = attributeText(fact, 'server.address');
  if (address !== undefined) keys.push(hostKey(address, attributeText(fact, 'server.port'), attributeText(fact, 'url.scheme')));
  return keys;
}

interface Candidate {
  fact: FactSpan;
  facts: TraceFacts;
}

function byStart(a: Candidate, b: Candidate): number {
  return a.fact.startMs - b.fact.startMs;
}

/** Index of the last candidate starting at or before `time` (-1 when none). */
function lastStartingBy(list: Candidate[], time: number): number {
  let low = 0;
  let high = list.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (list[middle]!.fact.startMs <= time) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

function push(map: Map<string, Candidate[]>, key: string, candidate: Candidate): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [candidate]);
  else list.push(candidate);
}

/** The first node through which a trace entered a flow. */
function entryNodeKey(facts: TraceFacts, key: string): string | undefined {
  const first = facts.flows.get(key);
  return first?.step === undefined ? undefined : nodeKey(first.step);
}

export interface ContextBreakIndex {
  /** Per trace id: the breaks it takes part in, either side. */
  byTrace: Map<string, ContextBreak[]>;
  /** Every break, once (the new-root side). */
  all: ContextBreak[];
}

/**
 * A span's step label; a span outside any flow step (the HTTP client span of an egress node, say)
 * is named within the nearest ancestor that has one, so the report names the flow step.
 */
function labelWithin(fact: FactSpan, facts: TraceFacts): StepLabel {
  const own = stepLabelOf(fact.span);
  if (own.step !== undefined) return own;
  let parentId = fact.span.parentSpanId;
  for (let depth = 0; parentId !== undefined && depth < 64; depth++) {
    const parent = facts.trace.spans.get(parentId);
    if (parent === undefined) break;
    const label = stepLabelOf(parent);
    if (label.step !== undefined) return { ...own, step: label.step, label: `${label.label} › span "${fact.span.name}"` };
    parentId = parent.parentSpanId;
  }
  return own;
}

function describe(rule: ContextBreak['rule'], at: string, from: string, callerTraceId: string): string {
  return rule === 'client-server-match'
    ? `context lost at ${at}: it started a new trace while ${from} (trace ${callerTraceId}) was calling it`
    : `context lost at ${at}: it started a new trace right after ${from} ran in trace ${callerTraceId}; the context was dropped between these steps`;
}

function makeBreak(rule: ContextBreak['rule'], root: FactSpan, caller: Candidate): ContextBreak {
  const at = stepLabelOf(root.span);
  const from = labelWithin(caller.fact, caller.facts);
  return {
    role: 'new-root',
    rule,
    at: { ...at, traceId: root.span.traceId, spanId: root.span.spanId },
    from: { ...from, traceId: caller.fact.span.traceId, spanId: caller.fact.span.spanId },
    reason: describe(rule, at.label, from.label, caller.fact.span.traceId),
  };
}

function findClientCaller(root: FactSpan, clients: Map<string, Candidate[]>): Candidate | undefined {
  let best: Candidate | undefined;
  for (const key of serverKeys(root)) {
    const list = clients.get(key);
    if (list === undefined) continue;
    const last = lastStartingBy(list, root.startMs + CLOCK_SKEW_MS);
    for (let i = last, looked = 0; i >= 0 && looked < MAX_CANDIDATES; i--, looked++) {
      const candidate = list[i]!;
      if (candidate.fact.span.traceId === root.span.traceId) continue;
      if (candidate.fact.endMs + CLOCK_SKEW_MS < root.startMs) continue;
      if (best === undefined || candidate.fact.startMs > best.fact.startMs) best = candidate;
      break;
    }
  }
  return best;
}

function findFlowCaller(root: FactSpan, flowSpans: Map<string, Candidate[]>): Candidate | undefined {
  if (root.step === undefined) return undefined;
  const key = flowKey(root.step);
  const rootNode = nodeKey(root.step);
  const list = flowSpans.get(key);
  if (list === undefined) return undefined;
  const last = lastStartingBy(list, root.startMs);
  for (let i = last, looked = 0; i >= 0 && looked < MAX_CANDIDATES; i--, looked++) {
    const candidate = list[i]!;
    const fact = candidate.fact;
    if (fact.span.traceId === root.span.traceId || fact.startMs >= root.startMs) continue;
    if (root.startMs - fact.startMs > FLOW_STEP_GAP_MS * 10) break;
    if (root.startMs - fact.endMs > FLOW_STEP_GAP_MS) continue;
    if (nodeKey(fact.step!) === rootNode) continue;
    // Where the other trace entered the flow is an entry node: a root there is a new run, not a loss.
    if (entryNodeKey(candidate.facts, key) === rootNode) continue;
    return candidate;
  }
  return undefined;
}

/** Matches every root span of the store against the spans of other traces. */
export function findContextBreaks(store: TraceStore): ContextBreakIndex {
  const clients = new Map<string, Candidate[]>();
  const flowSpans = new Map<string, Candidate[]>();
  const allFacts: TraceFacts[] = [];
  for (const trace of store.allTraces()) {
    const facts = traceFacts(trace);
    allFacts.push(facts);
    for (const fact of facts.spans) {
      const kind = fact.span.kind;
      if (kind === SPAN_KIND_CLIENT || kind === SPAN_KIND_PRODUCER) for (const key of targetKeys(fact)) push(clients, key, { fact, facts });
      if (fact.step !== undefined) push(flowSpans, flowKey(fact.step), { fact, facts });
    }
  }
  for (const list of clients.values()) list.sort(byStart);
  for (const list of flowSpans.values()) list.sort(byStart);

  const index: ContextBreakIndex = { byTrace: new Map(), all: [] };
  const record = (found: ContextBreak): void => {
    index.all.push(found);
    push2(index.byTrace, found.at.traceId, found);
    push2(index.byTrace, found.from.traceId, { ...found, role: 'caller' });
  };
  for (const facts of allFacts) {
    for (const root of facts.roots) {
      const kind = root.span.kind;
      if (kind === SPAN_KIND_SERVER || kind === SPAN_KIND_CONSUMER) {
        const caller = findClientCaller(root, clients);
        if (caller !== undefined) record(makeBreak('client-server-match', root, caller));
      } else if (root.step !== undefined) {
        const caller = findFlowCaller(root, flowSpans);
        if (caller !== undefined) record(makeBreak('same-flow-sequence', root, caller));
      }
    }
  }
  return index;
}

function push2(map: Map<string, ContextBreak[]>, key: string, value: ContextBreak): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
