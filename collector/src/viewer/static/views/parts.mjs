// Small pieces shared by the pages: badges, chips and attribute tables.
/* global URLSearchParams */
import { h } from '../dom.mjs';
import { KIND_LABELS, platformLabel, serviceColour, sortedAttributes } from '../model.mjs';
import { formatAttributeFilter, routeHash } from '../route.mjs';

/** "complete" / "incomplete" / "settling" (spans may still arrive). */
export function completenessBadge(complete, settled) {
  if (!settled) return h('span', { class: ['badge', 'badge-pending'], title: 'Spans may still arrive; the audit judges the trace once it settles' }, 'settling');
  return complete
    ? h('span', { class: ['badge', 'badge-ok'], title: 'Every span’s parent arrived and no step lost the context' }, '✓ complete')
    : h('span', { class: ['badge', 'badge-error'], title: 'A parent span is missing or a step lost the trace context' }, '✕ incomplete');
}

/** A service with its colour; with `linked`, a link to the traces of that service. */
export function serviceChip(service, order, linked = false) {
  const swatch = h('span', { class: ['svc-swatch', `svc-${serviceColour(service, order)}`], 'aria-hidden': 'true' });
  if (!linked) return h('span', { class: 'chip' }, swatch, service);
  const href = routeHash({ view: 'traces', query: new URLSearchParams({ service }) });
  return h('a', { class: ['chip', 'chip-link'], href, title: `Traces of ${service}` }, swatch, service);
}

/** A flow of TraceSummary.flows ("node-red:Orders"). */
export function flowChip(flow) {
  const at = flow.indexOf(':');
  const platform = at > 0 ? flow.slice(0, at) : '';
  const name = at > 0 ? flow.slice(at + 1) : flow;
  return h('span', { class: ['chip', 'chip-flow', `platform-${platform}`], title: platformLabel(platform) }, h('span', { class: 'platform-tag' }, platformShort(platform)), name);
}

export function platformShort(platform) {
  return platform === 'node-red' ? 'Node-RED' : platform === 'n8n' ? 'n8n' : platform;
}

export function kindBadge(kind) {
  const label = KIND_LABELS[kind];
  return label ? h('span', { class: ['kind', `kind-${kind}`] }, label) : null;
}

export function errorMark() {
  return h('span', { class: 'error-mark', title: 'error' }, h('span', { 'aria-hidden': 'true' }, '!'), h('span', { class: 'visually-hidden' }, 'error'));
}

/**
 * A key/value table of attributes, or a short note when there are none. With `searchable`, each
 * plain value links to the traces that have a span with the same attribute value.
 */
export function attributeTable(attributes, caption, { searchable = false } = {}) {
  const rows = sortedAttributes(attributes);
  if (rows.length === 0) return h('p', { class: 'muted' }, `No ${caption.toLowerCase()}.`);
  const plain = (key) => ['string', 'number', 'boolean'].includes(typeof attributes[key]);
  return h('table', { class: 'kv' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('tbody', null, rows.map(([key, value]) => h('tr', null,
      h('th', { scope: 'row' }, key),
      h('td', null, h('code', null, value), searchable && plain(key) ? findLink(key, value) : null)))),
  );
}

function findLink(key, value) {
  const query = new URLSearchParams({ attrs: formatAttributeFilter([{ key, value }]) });
  return h('a', { class: 'find-link', href: routeHash({ view: 'traces', query }), title: 'Find traces with this value', 'aria-label': `Find traces where ${key} is ${value}` }, '⌕');
}
