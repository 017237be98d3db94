// The collector's HTTP API: the JSON every endpoint answers with. The viewer (collector/src/viewer)
// and `threadline check` read these shapes; docs/collector.md describes the endpoints.
//
// Conventions:
// - ids are lowercase hex (trace id 32 characters, span id 16);
// - times are milliseconds since the Unix epoch as numbers with a fraction (`startMs`), plus the
//   exact OTLP nanosecond strings where a span carries them; durations are milliseconds;
// - every error answer is an ApiError with an HTTP status of 400, 401, 404, 405, 413 or 415.
import type { ReceivedAttributes, ReceivedValue } from '../otlp/decode';

export type { ReceivedAttributes, ReceivedValue };

/** OTLP SpanKind as a word. */
export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** OTLP status code as a word. */
export type SpanStatusName = 'unset' | 'ok' | 'error';

/** Where a span belongs in a low-code tool, read from its attributes (see docs/collector.md). */
export type FlowPlatform = 'node-red' | 'n8n';

/** The flow step a span ran in: a Node-RED flow and node, or an n8n workflow and node. */
export interface FlowStepRef {
  platform: FlowPlatform;
  /** Flow (Node-RED tab) or workflow id, when the span carries one. */
  flowId?: string;
  /** Flow or workflow name; the id when no name was recorded. */
  flowName: string;
  /** Node id, when the span carries one. */
  nodeId?: string;
  /** Node name; the node type or id when the node has no name. */
  nodeName: string;
  /** Node type, e.g. "http request" or "n8n-nodes-base.httpRequest". */
  nodeType?: string;
}

/**
 * A place in a trace, for messages: the flow step when the span has one, else its service and
 * span name. `label` is ready to print, e.g. `node-red flow "Orders" › node "enrich"` or
 * `service "orders" › span "GET /stock"`.
 */
export interface StepLabel {
  service: string;
  spanName: string;
  step?: FlowStepRef;
  label: string;
}

export interface ApiEvent {
  name: string;
  timeUnixNano: string;
  timeMs: number;
  attributes: ReceivedAttributes;
}

export interface ApiLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: ReceivedAttributes;
}

/** One stored span. */
export interface ApiSpan {
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  /** True when parentSpanId is set but no span with that id has arrived in this trace. */
  parentMissing: boolean;
  traceState?: string;
  name: string;
  kind: SpanKindName;
  /** Resource attribute service.name ("unknown_service" when absent). */
  service: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  startMs: number;
  durationMs: number;
  status: { code: SpanStatusName; message?: string };
  attributes: ReceivedAttributes;
  resource: ReceivedAttributes;
  scope: { name: string; version?: string };
  events: ApiEvent[];
  links: ApiLink[];
  /** Present for spans of a Node-RED flow or an n8n workflow. */
  flow?: FlowStepRef;
  /** When the collector stored the span (ms since epoch). */
  receivedMs: number;
}

/** One line of the trace list. */
export interface TraceSummary {
  traceId: string;
  /** Name of the earliest root span (or of the earliest span when no root arrived). */
  rootName: string;
  rootService: string;
  /** Distinct service names, in order of first appearance by start time. */
  services: string[];
  /** Distinct flows/workflows the trace passed, e.g. ["node-red:Orders"]. */
  flows: string[];
  spanCount: number;
  errorCount: number;
  /** 'error' when any span has status error, else 'ok'. */
  status: 'ok' | 'error';
  startMs: number;
  /** From the earliest start to the latest end. */
  durationMs: number;
  /** Latest time a span of this trace arrived. */
  lastReceivedMs: number;
  /** Result of the completeness audit (see TraceAudit.complete). */
  complete: boolean;
  /** False while spans may still arrive (last span less than settleMs ago). */
  settled: boolean;
}

/** GET /api/traces */
export interface TraceListResponse {
  traces: TraceSummary[];
  /** How many traces matched before `limit` applied. */
  matched: number;
  /** The limit that applied. */
  limit: number;
}

/** A span whose parent never arrived. */
export interface MissingParent {
  /** The parent span id that is referenced but absent. */
  parentSpanId: string;
  /** The spans that point to it. */
  children: StepLabel[];
  childSpanIds: string[];
}

/**
 * Where a trace lost its context: a span that started a new trace (a root) while a caller's span
 * in another trace was the likely origin. `role` tells which side of the break this trace is on.
 */
export interface ContextBreak {
  /** 'new-root': this trace starts at `at`; 'caller': this trace's `from` span lost its callee. */
  role: 'new-root' | 'caller';
  /** Which heuristic matched (see docs/collector.md, "Completeness audit"). */
  rule: 'client-server-match' | 'same-flow-sequence';
  /** The root span that started the detached trace: the step where context was lost. */
  at: StepLabel & { traceId: string; spanId: string };
  /** The caller span in the other trace it most likely came from. */
  from: StepLabel & { traceId: string; spanId: string };
  /** One sentence for people, naming both steps. */
  reason: string;
}

/** GET /api/traces/:traceId/audit, and one entry of AuditReport.traces. */
export interface TraceAudit {
  traceId: string;
  /** No missing parent and no context break on either side. */
  complete: boolean;
  settled: boolean;
  spanCount: number;
  missingParents: MissingParent[];
  /**
   * The trace's entry span when its parent is absent but it is the trace's earliest span and a
   * SERVER or CONSUMER span: the caller is outside the observed system, which is not a gap.
   */
  externalParent?: { parentSpanId: string; entry: StepLabel };
  contextBreaks: ContextBreak[];
}

/** GET /api/traces/:traceId */
export interface TraceDetailResponse {
  summary: TraceSummary;
  /** Sorted by start time. */
  spans: ApiSpan[];
  audit: TraceAudit;
  flowView: FlowView;
}

/** One node of a flow within one trace. */
export interface FlowStepView {
  step: FlowStepRef;
  /** Spans of this node in this trace, by start time (a node can run more than once). */
  spanIds: string[];
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error';
}

/** One Node-RED flow or n8n workflow within one trace. */
export interface FlowGroupView {
  platform: FlowPlatform;
  flowId?: string;
  flowName: string;
  /** By first start time. */
  steps: FlowStepView[];
  startMs: number;
  durationMs: number;
}

/** GET /api/traces/:traceId/flow: the trace's spans grouped by flow and node. */
export interface FlowView {
  traceId: string;
  flows: FlowGroupView[];
  /** Spans outside any flow (interceptor, services), grouped by service, by start time. */
  services: { service: string; spanIds: string[] }[];
}

/** GET /api/services */
export interface ServiceListResponse {
  services: {
    name: string;
    spanCount: number;
    traceCount: number;
    errorCount: number;
    lastSeenMs: number;
  }[];
}

/** GET /api/audit?windowMs=… */
export interface AuditReport {
  /** The window: traces whose first span arrived at the collector in [fromMs, toMs] (collector clock). */
  fromMs: number;
  toMs: number;
  /** Settled traces in the window (unsettled ones are not judged yet). */
  traceCount: number;
  completeCount: number;
  /** completeCount / traceCount, 1 when traceCount is 0. */
  completeShare: number;
  pendingCount: number;
  /** Audits of incomplete traces only, newest first, at most `limit`. */
  incomplete: TraceAudit[];
  /** Every context break in the window, once per detached root (role 'new-root'). */
  contextBreaks: ContextBreak[];
}

/** GET /api/stats */
export interface StoreStats {
  spans: number;
  traces: number;
  maxSpans: number;
  maxAgeMs: number;
  /** Spans accepted since start (first arrivals). */
  received: number;
  /** Spans that arrived again (same trace and span id) and were not stored twice. */
  duplicates: number;
  /** Spans removed by retention (count or age). */
  evictedSpans: number;
  evictedTraces: number;
  /** Spans rejected, reported as OTLP partial success: malformed (bad ids), or refused because their trace alone fills the store. */
  rejected: number;
  /** loadedSpans: spans read back from the file at start (retention may have kept fewer); skippedLines: unreadable lines. */
  persistence?: { file: string; writtenSpans: number; errors: number; loadedSpans: number; skippedLines: number };
  forwarding?: { url: string; forwardedSpans: number; droppedSpans: number; failedSpans: number; failedExports: number; queuedSpans: number };
  startedMs: number;
}

/** Any error answer. */
export interface ApiError {
  error: string;
}

/** GET /healthz */
export interface HealthResponse {
  ok: true;
  version: string;
}
