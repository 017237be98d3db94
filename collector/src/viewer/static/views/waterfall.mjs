// The waterfall: one row per span in tree order, a latency bar on a shared time axis, errors in
// red. A row opens the span's details below it; the arrow beside a span with children folds them.
/* global history */
import { h, replaceChildren } from '../dom.mjs';
import { breaksBySpan, formatDuration, layoutWaterfall, serviceColour, timeTicks } from '../model.mjs';
import { routeHash } from '../route.mjs';
import { errorMark, kindBadge } from './parts.mjs';
import { spanDetails } from './span-details.mjs';

export function renderWaterfall(container, detail, route, colourOrder) {
  const { summary, spans, audit } = detail;
  const collapsed = new Set();
  const breaks = breaksBySpan(audit, summary.traceId);
  let selected = route.spanId && spans.some((span) => span.spanId === route.spanId) ? route.spanId : undefined;

  const select = (spanId) => {
    selected = selected === spanId ? undefined : spanId;
    // The address follows the selection (a link to one span) without a new history entry.
    history.replaceState(null, '', routeHash({ ...route, spanId: selected }));
    draw();
    const row = container.querySelector(`[data-span-id="${selected || spanId}"] .wf-name`);
    if (row) row.focus();
  };
  const toggle = (spanId) => {
    if (collapsed.has(spanId)) collapsed.delete(spanId);
    else collapsed.add(spanId);
    draw();
  };

  const draw = () => {
    const { bounds, rows } = layoutWaterfall(spans, collapsed);
    const ticks = timeTicks(bounds.durationMs);
    replaceChildren(container,
      h('section', { class: 'waterfall', 'aria-label': 'Waterfall' },
        h('div', { class: 'wf-header', 'aria-hidden': 'true' },
          h('div', { class: 'wf-label' }, 'Service & operation'),
          h('div', { class: 'wf-timeline' }, ticks.map((tick) => h('span', { class: ['wf-tick', tick.percent === 0 ? 'tick-start' : tick.percent > 92 ? 'tick-end' : ''], style: { left: `${tick.percent}%` } }, tick.label))),
        ),
        h('ol', { class: 'wf-rows' }, rows.map((row) => waterfallRow(row, { summary, colourOrder, audit, breaks, ticks, bounds, selected, select, toggle }))),
      ),
    );
  };
  draw();
  if (selected) {
    const row = container.querySelector(`[data-span-id="${selected}"]`);
    if (row) row.scrollIntoView({ block: 'center' });
  }
}

function waterfallRow(row, { summary, colourOrder, audit, breaks, ticks, bounds, selected, select, toggle }) {
  const { span } = row;
  const colour = `svc-${serviceColour(span.service, colourOrder)}`;
  const isSelected = span.spanId === selected;
  const detailsId = `details-${span.spanId}`;
  // The duration goes right of the bar, or left of it when the bar reaches the end, or inside
  // it when the bar fills the timeline.
  const endsLate = row.offsetPercent + row.widthPercent > 80;
  const place = !endsLate ? 'after' : row.offsetPercent > 12 ? 'before' : 'inside';
  const spanBreaks = breaks.get(span.spanId) || [];
  return h('li', { class: ['wf-item', isSelected ? 'selected' : ''], 'data-span-id': span.spanId },
    h('div', { class: ['wf-row', row.error ? 'is-error' : ''], onclick: () => select(span.spanId) },
      h('div', { class: 'wf-label', style: { paddingLeft: `${0.5 + row.depth * 1.1}rem` } },
        row.childCount
          ? h('button', {
            type: 'button', class: 'wf-toggle', 'aria-expanded': String(!row.collapsed),
            'aria-label': `${row.collapsed ? 'Show' : 'Hide'} the ${row.childCount} child ${row.childCount === 1 ? 'span' : 'spans'} of ${span.name}`,
            onclick: (event) => { event.stopPropagation(); toggle(span.spanId); },
          }, row.collapsed ? '▸' : '▾')
          : h('span', { class: 'wf-toggle-space', 'aria-hidden': 'true' }),
        h('span', { class: ['svc-swatch', colour], 'aria-hidden': 'true' }),
        h('button', {
          type: 'button', class: 'wf-name', 'aria-expanded': String(isSelected), 'aria-controls': isSelected ? detailsId : undefined, title: `${span.service}: ${span.name}`,
          onclick: (event) => { event.stopPropagation(); select(span.spanId); },
        },
        h('span', { class: 'wf-service' }, span.service),
        h('span', { class: 'wf-span-name' }, span.name)),
        kindBadge(span.kind),
        row.error ? errorMark() : null,
        row.parentMissing ? h('span', { class: 'flag flag-warn', title: 'Its parent span never arrived' }, 'parent missing') : null,
        spanBreaks.length ? h('span', { class: 'flag flag-error', title: spanBreaks[0].reason }, 'context lost') : null,
        row.collapsed ? h('span', { class: 'flag' }, `+${row.childCount}`) : null,
      ),
      h('div', { class: 'wf-timeline' },
        ticks.map((tick) => h('span', { class: 'wf-grid', style: { left: `${tick.percent}%` }, 'aria-hidden': 'true' })),
        h('span', {
          class: ['wf-bar', colour, row.error ? 'is-error' : ''],
          style: { left: `${row.offsetPercent}%`, width: `${row.widthPercent}%` },
          title: `${span.name}: ${formatDuration(span.durationMs)} from +${formatDuration(row.offsetMs)}`,
        }),
        h('span', {
          class: ['wf-duration', `label-${place}`],
          style: place === 'after' ? { left: `${row.offsetPercent + row.widthPercent}%` } : place === 'before' ? { right: `${100 - row.offsetPercent}%` } : { right: `${100 - row.offsetPercent - row.widthPercent}%` },
        }, formatDuration(span.durationMs)),
      ),
    ),
    isSelected ? spanDetails(span, { id: detailsId, traceStartMs: bounds.startMs, audit, breaks: spanBreaks, traceId: summary.traceId }) : null,
  );
}
