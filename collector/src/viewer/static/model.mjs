// Pure view logic of the trace viewer: no DOM, no network, so it runs in the browser and in unit
// tests alike. Spans are the collector's ApiSpan objects (collector/src/api/contract.ts).

/** Span kinds as the waterfall shows them. */
export const KIND_LABELS = {
  unspecified: '',
  internal: 'internal',
  server: 'server',
  client: 'client',
  producer: 'producer',
  consumer: 'consumer',
};

/** Number of service colours in viewer.css (.svc-0 … .svc-9). */
export const SERVICE_COLOURS = 10;

/**
 * Orders spans as a tree: children under their parent, siblings by start time. A span whose
 * parent is absent (a root, or a parent that never arrived) starts a tree of its own.
 * Returns the roots; every node is { span, children }.
 */
export function buildSpanTree(spans) {
  const nodes = new Map();
  for (const span of spans) {
    if (!nodes.has(span.spanId)) nodes.set(span.spanId, { span, children: [] });
  }
  const roots = [];
  for (const node of nodes.values()) {
    const parentId = node.span.parentSpanId;
    const parent = parentId && parentId !== node.span.spanId ? nodes.get(parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  // A parent cycle (malformed input) leaves spans unreachable from any root: adopt them as roots
  // so that no span disappears from the page.
  const reached = new Set();
  const visit = (node) => {
    if (reached.has(node.span.spanId)) return;
    reached.add(node.span.spanId);
    node.children.forEach(visit);
  };
  roots.forEach(visit);
  for (const node of nodes.values()) {
    if (!reached.has(node.span.spanId)) {
      const parent = nodes.get(node.span.parentSpanId);
      if (parent) parent.children = parent.children.filter((child) => child !== node);
      roots.push(node);
      visit(node);
    }
  }
  const byStart = (a, b) => a.span.startMs - b.span.startMs || a.span.name.localeCompare(b.span.name);
  for (const node of nodes.values()) node.children.sort(byStart);
  roots.sort(byStart);
  return roots;
}

/** Earliest start and latest end of a set of spans, in ms since the epoch. */
export function traceBounds(spans) {
  if (spans.length === 0) return { startMs: 0, endMs: 0, durationMs: 0 };
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const span of spans) {
    startMs = Math.min(startMs, span.startMs);
    endMs = Math.max(endMs, span.startMs + Math.max(0, span.durationMs));
  }
  return { startMs, endMs, durationMs: endMs - startMs };
}

/** Bars narrower than this share of the timeline are widened so that they stay visible. */
const MIN_BAR_PERCENT = 0.2;

/**
 * The rows of a waterfall, in tree order (depth first, siblings by start time). `collapsed` holds
 * span ids whose descendants are hidden. Each row: { span, depth, offsetMs, offsetPercent,
 * widthPercent, childCount, collapsed, error, parentMissing }. Percentages are of the whole
 * trace, from its earliest start to its latest end.
 */
export function layoutWaterfall(spans, collapsed = new Set()) {
  const bounds = traceBounds(spans);
  const total = bounds.durationMs > 0 ? bounds.durationMs : 1;
  const rows = [];
  const walk = (node, depth) => {
    const { span } = node;
    const offsetMs = span.startMs - bounds.startMs;
    const offsetPercent = clamp((offsetMs / total) * 100, 0, 100);
    const widthPercent = clamp((Math.max(0, span.durationMs) / total) * 100, MIN_BAR_PERCENT, 100 - Math.min(offsetPercent, 100 - MIN_BAR_PERCENT));
    const isCollapsed = collapsed.has(span.spanId) && node.children.length > 0;
    rows.push({
      span,
      depth,
      offsetMs,
      offsetPercent,
      widthPercent,
      childCount: node.children.length,
      collapsed: isCollapsed,
      error: isError(span),
      parentMissing: Boolean(span.parentMissing),
    });
    if (!isCollapsed) for (const child of node.children) walk(child, depth + 1);
  };
  for (const root of buildSpanTree(spans)) walk(root, 0);
  return { bounds, rows };
}

/** Tick marks for a time axis of `durationMs`: about `count` round steps, as { percent, label }. */
export function timeTicks(durationMs, count = 4) {
  if (!(durationMs > 0)) return [{ percent: 0, label: formatDuration(0) }];
  const step = niceStep(durationMs / count);
  const ticks = [];
  for (let at = 0; at <= durationMs + step * 1e-9; at += step) {
    ticks.push({ percent: (at / durationMs) * 100, label: formatDuration(at) });
  }
  return ticks;
}

function niceStep(raw) {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 2.5, 5, 10]) {
    if (raw <= factor * magnitude) return factor * magnitude;
  }
  return 10 * magnitude;
}

/** A duration for people: "850 µs", "12.4 ms", "1.25 s", "2 min 5 s". */
export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs === 0) return '0 ms';
  if (abs < 1) return `${round(ms * 1000, 0)} µs`;
  if (abs < 10) return `${round(ms, 2)} ms`;
  if (abs < 1000) return `${round(ms, abs < 100 ? 1 : 0)} ms`;
  if (abs < 60_000) return `${round(ms / 1000, 2)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  return `${ms < 0 ? '-' : ''}${minutes} min ${seconds} s`;
}

function round(value, digits) {
  const factor = 10 ** digits;
  return String(Math.round(value * factor) / factor);
}

function clamp(value, low, high) {
  return Math.min(Math.max(value, low), high);
}

/**
 * Positions of traces on the list's duration chart: x by start time, y by duration, both as
 * percentages of the chart (y counted from the bottom). A single trace, or traces that all
 * started at once, sit in the middle of the time axis.
 */
export function scatterPoints(traces) {
  if (traces.length === 0) return { points: [], fromMs: 0, toMs: 0, maxDurationMs: 0 };
  const starts = traces.map((item) => item.startMs);
  const fromMs = Math.min(...starts);
  const toMs = Math.max(...starts);
  const maxDurationMs = Math.max(...traces.map((item) => item.durationMs), 0);
  const points = traces.map((item) => ({
    trace: item,
    xPercent: toMs > fromMs ? ((item.startMs - fromMs) / (toMs - fromMs)) * 100 : 50,
    yPercent: maxDurationMs > 0 ? (Math.max(0, item.durationMs) / maxDurationMs) * 100 : 0,
  }));
  return { points, fromMs, toMs, maxDurationMs };
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAge(thenMs, nowMs) {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

export function isError(span) {
  return span.status && span.status.code === 'error';
}

/**
 * A colour slot per service, stable within a page: services in `order` get consecutive slots,
 * any other service a slot from a hash of its name.
 */
export function serviceColour(service, order = []) {
  const index = order.indexOf(service);
  if (index >= 0) return index % SERVICE_COLOURS;
  let hash = 0;
  for (let i = 0; i < service.length; i += 1) hash = (hash * 31 + service.charCodeAt(i)) >>> 0;
  return hash % SERVICE_COLOURS;
}

/** An attribute value as text: strings as they are, everything else as JSON. */
export function attributeText(value) {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return String(value);
  return JSON.stringify(value);
}

/** Attribute entries sorted by key, for tables. */
export function sortedAttributes(attributes) {
  return Object.keys(attributes || {})
    .sort((a, b) => a.localeCompare(b))
    .map((key) => [key, attributeText(attributes[key])]);
}

/**
 * The trace as a journey for the flow view: the trace's service spans and its Node-RED / n8n
 * flows as sections in order of their first start. Each section is either
 * { type: 'service', service, spans, startMs } or { type: 'flow', flow, startMs } where `flow` is
 * a FlowGroupView. Spans of a service section are ApiSpans by start time.
 */
export function flowJourney(flowView, spans) {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const sections = [];
  for (const group of flowView.services || []) {
    const serviceSpans = group.spanIds.map((id) => byId.get(id)).filter(Boolean);
    serviceSpans.sort((a, b) => a.startMs - b.startMs);
    if (serviceSpans.length === 0) continue;
    // A service whose spans are interleaved with flows (an interceptor in front of and behind
    // Node-RED) is split where a flow starts in between, so the journey reads in time order.
    sections.push(...splitByFlows(group.service, serviceSpans, flowView.flows || []));
  }
  for (const flow of flowView.flows || []) sections.push({ type: 'flow', flow, startMs: flow.startMs });
  sections.sort((a, b) => a.startMs - b.startMs || (a.type === 'service' ? -1 : 1));
  return sections;
}

function splitByFlows(service, serviceSpans, flows) {
  const flowStarts = flows.map((flow) => flow.startMs).sort((a, b) => a - b);
  const sections = [];
  let current;
  let nextFlowIndex = 0;
  for (const span of serviceSpans) {
    let crossed = false;
    while (nextFlowIndex < flowStarts.length && flowStarts[nextFlowIndex] <= span.startMs) {
      nextFlowIndex += 1;
      crossed = true;
    }
    if (!current || crossed) {
      current = { type: 'service', service, spans: [], startMs: span.startMs };
      sections.push(current);
    }
    current.spans.push(span);
  }
  return sections;
}

/** Label of a platform for people. */
export function platformLabel(platform) {
  return platform === 'n8n' ? 'n8n workflow' : platform === 'node-red' ? 'Node-RED flow' : String(platform);
}

/**
 * Context breaks that concern one span of the trace being viewed, keyed by span id: the break's
 * new root (`at`) when it lies in this trace, its caller (`from`) otherwise.
 */
export function breaksBySpan(audit, traceId) {
  const result = new Map();
  for (const item of (audit && audit.contextBreaks) || []) {
    const mine = item.at.traceId === traceId ? item.at : item.from.traceId === traceId ? item.from : undefined;
    if (!mine) continue;
    if (!result.has(mine.spanId)) result.set(mine.spanId, []);
    result.get(mine.spanId).push(item);
  }
  return result;
}

/** Span ids whose parent never arrived, from a TraceAudit. */
export function missingParentSpanIds(audit) {
  const ids = new Set();
  for (const missing of (audit && audit.missingParents) || []) missing.childSpanIds.forEach((id) => ids.add(id));
  return ids;
}
