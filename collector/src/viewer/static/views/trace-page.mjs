// One trace: its summary, what the completeness audit found, and two tabs over the same spans,
// the waterfall (#/trace/<id>) and the flow view (#/trace/<id>/flow).
/* global document, setTimeout */
import { api, ApiError } from '../api.mjs';
import { h, notice, replaceChildren } from '../dom.mjs';
import { formatDuration } from '../model.mjs';
import { routeHash } from '../route.mjs';
import { renderFlowView } from './flow-view.mjs';
import { completenessBadge, serviceChip } from './parts.mjs';
import { renderWaterfall } from './waterfall.mjs';

// The last trace shown, so that switching tabs does not fetch it again. Only a settled trace is
// kept (one still receiving spans is fetched each time), and leaving the trace forgets it.
let cached;
/** While a trace may still receive spans, the page reloads it this often. */
const SETTLING_REFRESH_MS = 2000;

export function forgetTrace() {
  cached = undefined;
}

export async function renderTracePage(main, route, context) {
  const fresh = !(cached && cached.traceId === route.traceId);
  let detail;
  let colourOrder;
  try {
    [detail, colourOrder] = fresh ? await Promise.all([api.trace(route.traceId), serviceOrder()]) : [cached.detail, cached.colourOrder];
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    if (!context.isCurrent()) return;
    document.title = 'Trace not found · Threadline';
    replaceChildren(main,
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, '← Traces')),
      h('h1', null, 'Trace not found'),
      notice('empty', `The collector holds no trace ${route.traceId}. Its spans may not have arrived yet, or retention removed it.`));
    return;
  }
  if (!context.isCurrent()) return;
  cached = detail.summary.settled ? { traceId: route.traceId, detail, colourOrder } : undefined;
  if (!detail.summary.settled) {
    // Opened straight from a terminal link, the trace may still be arriving: show it as it fills.
    setTimeout(() => {
      if (context.isCurrent()) context.refresh();
    }, SETTLING_REFRESH_MS);
  }
  const { summary } = detail;
  document.title = `${summary.rootService}: ${summary.rootName} · Threadline`;

  const body = h('div', { class: 'trace-body' });
  const refresh = () => {
    cached = undefined;
    context.refresh();
  };
  replaceChildren(main,
    traceHeader(detail, colourOrder, refresh),
    auditPanel(detail),
    tabs(route),
    body,
  );
  const view = route.tab === 'flow' ? renderFlowView : renderWaterfall;
  view(body, detail, route, colourOrder);
}

/** Colours follow the collector's whole service list, as on the trace list. */
async function serviceOrder() {
  try {
    return (await api.services()).services.map((service) => service.name).sort();
  } catch {
    return [];
  }
}

function traceHeader(detail, colourOrder, refresh) {
  const { summary } = detail;
  const started = new Date(summary.startMs);
  return h('header', { class: 'trace-header' },
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, '← Traces')),
    h('div', { class: 'trace-heading' },
      h('h1', null, h('span', { class: 'trace-service' }, summary.rootService), ': ', summary.rootName),
      h('button', { type: 'button', class: 'secondary', onclick: refresh }, 'Refresh'),
    ),
    h('dl', { class: 'facts' },
      fact('Trace ID', h('code', { class: 'trace-id' }, summary.traceId)),
      fact('Started', h('time', { datetime: started.toISOString() }, started.toLocaleString())),
      fact('Duration', formatDuration(summary.durationMs)),
      fact('Spans', String(summary.spanCount)),
      fact('Errors', summary.errorCount ? h('span', { class: 'error-count' }, String(summary.errorCount)) : '0'),
      fact('Completeness', completenessBadge(summary.complete, summary.settled)),
    ),
    h('div', { class: 'chips', 'aria-label': 'Services' }, summary.services.map((service) => serviceChip(service, colourOrder, true))),
  );
}

function fact(term, ...value) {
  return h('div', null, h('dt', null, term), h('dd', null, ...value));
}

/** What the audit found: missing parents, lost context (with links to the other trace). */
function auditPanel(detail) {
  const { audit } = detail;
  const items = [];
  for (const missing of audit.missingParents) {
    items.push(h('li', null,
      h('strong', null, 'Missing parent: '),
      `span ${missing.parentSpanId} never arrived; its ${missing.children.length === 1 ? 'child is' : 'children are'} `,
      missing.children.map((child, index) => [index ? ', ' : '', h('a', { href: routeHash({ view: 'trace', traceId: detail.summary.traceId, spanId: missing.childSpanIds[index] }) }, child.label)]),
      '.'));
  }
  for (const item of audit.contextBreaks) {
    const other = item.role === 'new-root' ? item.from : item.at;
    items.push(h('li', null,
      h('strong', null, item.role === 'new-root' ? 'Context lost before this trace: ' : 'Context lost after this trace: '),
      item.reason, ' ',
      h('a', { href: routeHash({ view: 'trace', traceId: other.traceId, spanId: other.spanId }) }, item.role === 'new-root' ? 'Open the caller’s trace' : 'Open the detached trace')));
  }
  if (audit.externalParent) {
    items.push(h('li', { class: 'muted' }, `The entry ${audit.externalParent.entry.label} was called from outside the observed system (parent ${audit.externalParent.parentSpanId}); that is not a gap.`));
  }
  if (items.length === 0) return h('div', { hidden: true });
  const incomplete = audit.missingParents.length > 0 || audit.contextBreaks.length > 0;
  return h('section', { class: ['audit-panel', incomplete ? 'audit-broken' : 'audit-fine'], 'aria-labelledby': 'audit-heading' },
    h('h2', { id: 'audit-heading' }, incomplete ? 'Where this trace lost its context' : 'Completeness'),
    h('ul', null, items));
}

function tabs(route) {
  const tab = (name, label) =>
    h('a', { class: 'tab', href: routeHash({ view: 'trace', traceId: route.traceId, tab: name }), 'aria-current': route.tab === name ? 'page' : undefined, 'data-tab': name }, label);
  return h('nav', { class: 'tabs', 'aria-label': 'Trace views' }, tab('waterfall', 'Waterfall'), tab('flow', 'Flow view'));
}

