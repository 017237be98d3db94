// Everything about one span: timing, ids, its flow step, status, attributes, events, links and
// resource. Used below a waterfall row and beside the flow view.
import { h } from '../dom.mjs';
import { formatDuration, missingParentSpanIds, platformLabel } from '../model.mjs';
import { routeHash } from '../route.mjs';
import { attributeTable, kindBadge } from './parts.mjs';

export function spanDetails(span, { id, traceStartMs, audit, breaks = [], traceId }) {
  const missing = missingParentSpanIds(audit).has(span.spanId);
  const external = audit && audit.externalParent && audit.externalParent.parentSpanId === span.parentSpanId;
  let parent = span.parentSpanId ? h('code', null, span.parentSpanId) : h('span', { class: 'muted' }, 'none (root span)');
  if (span.parentSpanId && (missing || span.parentMissing)) {
    parent = [parent, ' ', h('span', { class: external ? 'flag' : 'flag flag-warn' }, external ? 'external caller' : 'never arrived')];
  } else if (span.parentSpanId) {
    parent = h('a', { href: routeHash({ view: 'trace', traceId, spanId: span.parentSpanId }) }, parent);
  }
  const flow = span.flow;
  return h('section', { class: 'span-details', id, 'aria-label': `Details of span ${span.name}` },
    h('div', { class: 'details-head' },
      h('h3', null, span.name),
      kindBadge(span.kind),
      span.status.code === 'error'
        ? h('span', { class: ['badge', 'badge-error'] }, 'error')
        : span.status.code === 'ok' ? h('span', { class: ['badge', 'badge-ok'] }, 'ok') : null,
    ),
    span.status.code === 'error' && span.status.message ? h('p', { class: 'status-message', role: 'note' }, span.status.message) : null,
    breaks.map((item) => h('p', { class: 'notice notice-error' }, h('strong', null, 'Context lost: '), item.reason)),
    h('dl', { class: 'facts facts-compact' },
      fact('Service', span.service),
      fact('Duration', formatDuration(span.durationMs)),
      fact('Starts at', `+${formatDuration(span.startMs - traceStartMs)}`),
      fact('Span ID', h('code', null, span.spanId)),
      fact('Parent', parent),
      fact('Scope', span.scope.version ? `${span.scope.name} ${span.scope.version}` : span.scope.name || '–'),
      flow ? fact(platformLabel(flow.platform), `${flow.flowName} › ${flow.nodeName}${flow.nodeType ? ` (${flow.nodeType})` : ''}`) : null,
    ),
    h('div', { class: 'details-grid' },
      h('div', null, h('h4', null, 'Attributes'), attributeTable(span.attributes, 'Attributes', { searchable: true })),
      h('div', null,
        h('h4', null, `Events (${span.events.length})`),
        span.events.length
          ? h('ol', { class: 'events' }, span.events.map((event) => h('li', null,
            h('div', { class: 'event-head' }, h('span', { class: 'event-time' }, `+${formatDuration(event.timeMs - traceStartMs)}`), h('strong', null, event.name)),
            Object.keys(event.attributes).length ? attributeTable(event.attributes, 'Event attributes') : null)))
          : h('p', { class: 'muted' }, 'No events.'),
        span.links.length ? [h('h4', null, `Links (${span.links.length})`), h('ul', { class: 'links' }, span.links.map((link) => h('li', null,
          h('a', { href: routeHash({ view: 'trace', traceId: link.traceId, spanId: link.spanId }) }, `trace ${link.traceId.slice(0, 8)}… span ${link.spanId}`))))] : null,
      ),
    ),
    h('details', { class: 'resource' }, h('summary', null, `Resource (${Object.keys(span.resource).length} attributes)`), attributeTable(span.resource, 'Resource attributes', { searchable: true })),
  );
}

function fact(term, ...value) {
  return h('div', null, h('dt', null, term), h('dd', null, ...value));
}
