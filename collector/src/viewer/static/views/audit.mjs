// The completeness audit over a time window: the share of complete traces, where context was
// lost (which step started a new trace while a caller's span existed) and the incomplete traces.
/* global document, URLSearchParams */
import { api } from '../api.mjs';
import { h, notice, replaceChildren } from '../dom.mjs';
import { WINDOWS, auditWindow, routeHash } from '../route.mjs';

export async function renderAudit(main, route, context) {
  document.title = 'Completeness audit · Threadline';
  const chosen = auditWindow(route.query);
  const report = await api.audit(chosen.ms);
  if (!context.isCurrent()) return;

  const percent = report.completeShare * 100;
  // With no trace judged the API's share is 1; the page says "no data" rather than 100 %.
  const judged = report.traceCount > 0;
  const share = !judged ? '–' : Number.isInteger(percent) ? `${percent} %` : `${percent.toFixed(1)} %`;
  const windowSelect = h('select', { id: 'audit-window' }, WINDOWS.map((w) => h('option', { value: w.value, selected: w.value === chosen.value }, w.label)));
  windowSelect.addEventListener('change', () => context.navigate({ view: 'audit', query: new URLSearchParams({ window: windowSelect.value }) }));

  replaceChildren(main,
    h('div', { class: 'page-head' },
      h('h1', null, 'Completeness audit'),
      h('div', { class: 'field inline' }, h('label', { for: 'audit-window' }, 'Window'), windowSelect),
      h('button', { type: 'button', class: 'secondary', onclick: () => context.refresh() }, 'Refresh'),
    ),
    h('p', { class: 'muted' }, 'A trace is complete when every span’s parent arrived and no step started a new trace while its caller’s span was running. Traces are judged once no span arrived for a short while.'),
    h('section', { class: 'audit-summary', 'aria-label': 'Summary' },
      h('div', { class: ['share', !judged ? '' : report.completeShare === 1 ? 'share-ok' : 'share-bad'] },
        h('span', { class: 'share-value', 'data-testid': 'complete-share' }, share),
        h('span', { class: 'share-label' }, judged ? 'complete' : 'no trace judged yet'),
      ),
      h('div', { class: ['share-bar', judged ? '' : 'share-bar-empty'], role: 'img', 'aria-label': judged ? `${share} of ${report.traceCount} traces complete` : 'No trace judged yet' },
        h('span', { style: { width: `${judged ? percent : 0}%` } })),
      h('dl', { class: 'facts' },
        fact('Traces judged', String(report.traceCount)),
        fact('Complete', String(report.completeCount)),
        fact('Incomplete', String(report.traceCount - report.completeCount)),
        fact('Still settling', String(report.pendingCount)),
        fact('Context breaks', String(report.contextBreaks.length)),
      ),
      h('p', { class: 'muted' }, `From ${new Date(report.fromMs).toLocaleString()} to ${new Date(report.toMs).toLocaleString()}`),
    ),
    h('section', { 'aria-labelledby': 'breaks-heading' },
      h('h2', { id: 'breaks-heading' }, 'Where context was lost'),
      report.contextBreaks.length === 0
        ? notice('empty', 'No step started a new trace while a caller’s span was running.')
        : h('table', { class: 'grid' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'New trace began at'), h('th', { scope: 'col' }, 'Last step with the context'), h('th', { scope: 'col' }, 'Rule'))),
          h('tbody', null, report.contextBreaks.map((item) => h('tr', null,
            h('td', null, h('a', { href: routeHash({ view: 'trace', traceId: item.at.traceId, spanId: item.at.spanId }) }, item.at.label)),
            h('td', null, h('a', { href: routeHash({ view: 'trace', traceId: item.from.traceId, spanId: item.from.spanId }) }, item.from.label)),
            h('td', null, h('span', { class: 'rule', title: item.reason }, item.rule)))))),
    ),
    h('section', { 'aria-labelledby': 'incomplete-heading' },
      h('h2', { id: 'incomplete-heading' }, 'Incomplete traces'),
      report.incomplete.length === 0
        ? notice('empty', report.traceCount ? 'Every trace in the window is complete.' : 'No trace has settled in this window yet.')
        : h('table', { class: 'grid' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Trace'), h('th', { scope: 'col' }, 'Spans'), h('th', { scope: 'col' }, 'What is missing'))),
          h('tbody', null, report.incomplete.map((audit) => h('tr', null,
            h('td', null, traceLink(audit.traceId)),
            h('td', null, String(audit.spanCount)),
            h('td', null, h('ul', { class: 'problems' }, problems(audit))))))),
    ),
  );
}

function traceLink(traceId, spanId) {
  return h('a', { href: routeHash({ view: 'trace', traceId, spanId }), title: traceId }, h('code', null, `${traceId.slice(0, 12)}…`));
}

/** One line per problem of an incomplete trace, each naming the step and linking the other trace. */
function problems(audit) {
  const items = [];
  for (const missing of audit.missingParents) {
    items.push(h('li', null, 'parent ', h('code', null, missing.parentSpanId), ` of ${missing.children.map((child) => child.label).join(', ')} never arrived`));
  }
  for (const item of audit.contextBreaks) {
    items.push(item.role === 'caller'
      ? h('li', null, `the context was dropped after ${item.from.label}; the flow went on in trace `, traceLink(item.at.traceId, item.at.spanId))
      : h('li', null, `began without context at ${item.at.label}, after ${item.from.label} in trace `, traceLink(item.from.traceId, item.from.spanId)));
  }
  return items;
}

function fact(term, value) {
  return h('div', null, h('dt', null, term), h('dd', null, value));
}
