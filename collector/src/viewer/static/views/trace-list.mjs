// The trace list: a search form (service, name, status, completeness, duration, attributes, time)
// and the matching traces, newest first. The form's fields live in the address (#/?service=…).
/* global document, FormData, URLSearchParams, sessionStorage, setTimeout */
import { api } from '../api.mjs';
import { h, notice, replaceChildren } from '../dom.mjs';
import { formatAge, formatDuration, scatterPoints, serviceColour } from '../model.mjs';
import { WINDOWS, searchToApiParams } from '../route.mjs';
import { completenessBadge, serviceChip, flowChip } from './parts.mjs';

const FIELDS = ['service', 'name', 'status', 'complete', 'minDuration', 'maxDuration', 'attrs', 'since', 'from', 'to', 'limit'];
const LIMITS = ['20', '50', '100', '500'];

export async function renderTraceList(main, route, context) {
  document.title = 'Traces · Threadline';
  const query = route.query;
  const now = Date.now();
  const { params, errors } = searchToApiParams(query, now);
  const [services, list] = await Promise.all([api.services().catch(() => ({ services: [] })), errors.length ? undefined : api.traces(params)]);
  if (!context.isCurrent()) return;

  const serviceNames = services.services.map((service) => service.name).sort();
  const form = searchForm(query, serviceNames, context);
  const results = h('section', { class: 'results', 'aria-labelledby': 'results-heading' });
  if (errors.length) {
    replaceChildren(results, h('h2', { id: 'results-heading' }, 'Traces'), notice('error', h('strong', null, 'Check the search: '), errors.join('; ')));
  } else {
    replaceChildren(results, ...resultList(list, now, serviceNames, context));
  }
  replaceChildren(main, h('h1', { class: 'visually-hidden' }, 'Traces'), h('div', { class: 'list-layout' }, form, results));
}

function searchForm(query, serviceNames, context) {
  const value = (name) => query.get(name) || '';
  const since = query.has('since') ? value('since') : '';
  const field = (id, label, control, hint) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
  const select = (id, options, selected) =>
    h('select', { id, name: id }, options.map(([optionValue, label]) => h('option', { value: optionValue, selected: optionValue === selected }, label)));

  if (value('service') && !serviceNames.includes(value('service'))) serviceNames = [...serviceNames, value('service')];
  const customTime = h('div', { class: ['field-pair', since === 'custom' ? '' : 'hidden'], id: 'custom-time' },
    field('from', 'From', h('input', { id: 'from', name: 'from', type: 'datetime-local', step: '1', value: value('from') })),
    field('to', 'To', h('input', { id: 'to', name: 'to', type: 'datetime-local', step: '1', value: value('to') })),
  );
  const sinceSelect = select('since', [['', 'Any time'], ...WINDOWS.map((w) => [w.value, w.label]), ['custom', 'Between…']], since);
  sinceSelect.addEventListener('change', () => customTime.classList.toggle('hidden', sinceSelect.value !== 'custom'));

  const form = h('form', { class: 'search', 'aria-labelledby': 'search-heading', novalidate: true },
    h('h2', { id: 'search-heading' }, 'Search'),
    field('service', 'Service', select('service', [['', 'All services'], ...serviceNames.map((name) => [name, name])], value('service'))),
    field('name', 'Span name contains', h('input', { id: 'name', name: 'name', type: 'search', value: value('name'), placeholder: 'GET /orders' })),
    field('status', 'Status', select('status', [['', 'Any'], ['error', 'With an error span'], ['ok', 'Without errors']], value('status'))),
    field('complete', 'Completeness', select('complete', [['', 'Any'], ['true', 'Complete traces'], ['false', 'Incomplete traces (context lost)']], value('complete'))),
    h('div', { class: 'field-pair' },
      field('minDuration', 'Min duration', h('input', { id: 'minDuration', name: 'minDuration', value: value('minDuration'), placeholder: '100ms', 'aria-describedby': 'duration-hint' })),
      field('maxDuration', 'Max duration', h('input', { id: 'maxDuration', name: 'maxDuration', value: value('maxDuration'), placeholder: '2s', 'aria-describedby': 'duration-hint' })),
    ),
    h('p', { class: 'hint', id: 'duration-hint' }, 'e.g. 250ms, 1.5s, 2m'),
    field('attrs', 'Attributes', h('input', { id: 'attrs', name: 'attrs', value: value('attrs'), placeholder: 'http.response.status_code=500', 'aria-describedby': 'attrs-hint', spellcheck: 'false' }),
      'key=value pairs separated by spaces; quote values with spaces'),
    field('since', 'Time', sinceSelect),
    customTime,
    field('limit', 'Show at most', select('limit', LIMITS.map((limit) => [limit, `${limit} traces`]), value('limit') || '100')),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Find traces'),
      h('a', { href: '#/', class: 'button-link' }, 'Reset'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams();
    for (const name of FIELDS) {
      const entry = String(data.get(name) || '').trim();
      if (!entry || (name === 'limit' && entry === '100')) continue;
      if ((name === 'from' || name === 'to') && data.get('since') !== 'custom') continue;
      next.set(name, entry);
    }
    context.navigate({ view: 'traces', query: next });
  });
  return form;
}

const LIVE_KEY = 'threadline.viewer.live';
const LIVE_INTERVAL_MS = 5000;

/**
 * "Auto-refresh": reloads the list every few seconds while this page is shown, unless someone is
 * typing in the search form. The choice is kept for the browser tab.
 */
function liveToggle(context) {
  const on = readLive();
  const box = h('input', { type: 'checkbox', id: 'live', checked: on });
  box.addEventListener('change', () => {
    writeLive(box.checked);
    if (box.checked) schedule(context);
  });
  if (on) schedule(context);
  return h('label', { class: 'live', for: 'live' }, box, 'Auto-refresh');
}

function schedule(context) {
  setTimeout(() => {
    if (!context.isCurrent() || !readLive()) return;
    const typing = document.activeElement && document.activeElement.closest('form.search');
    if (typing) schedule(context);
    else context.refresh();
  }, LIVE_INTERVAL_MS);
}

function readLive() {
  try {
    return sessionStorage.getItem(LIVE_KEY) === 'on';
  } catch {
    return false;
  }
}

function writeLive(on) {
  try {
    sessionStorage.setItem(LIVE_KEY, on ? 'on' : 'off');
  } catch {
    // Storage disabled: auto-refresh lasts until the next page.
  }
}

function resultList(list, now, serviceNames, context) {
  const heading = h('div', { class: 'results-head' },
    h('h2', { id: 'results-heading' }, `${list.matched.toLocaleString('en')} ${list.matched === 1 ? 'trace' : 'traces'}`),
    list.matched > list.traces.length ? h('p', { class: 'muted' }, `showing the newest ${list.traces.length}`) : null,
    liveToggle(context),
    h('button', { type: 'button', class: 'secondary', onclick: () => context.refresh() }, 'Refresh'),
  );
  if (list.traces.length === 0) {
    return [heading, notice('empty', 'No trace matches. Send some traffic, widen the time range or clear a filter.')];
  }
  const longest = Math.max(...list.traces.map((trace) => trace.durationMs), 0.001);
  return [heading, durationChart(list.traces), h('ol', { class: 'trace-list' }, list.traces.map((trace) => traceRow(trace, longest, now, serviceNames)))];
}

/** Duration over start time, one dot per trace (bigger with more spans), like Jaeger's chart. */
function durationChart(traces) {
  const { points, fromMs, toMs, maxDurationMs } = scatterPoints(traces);
  const time = (ms) => new Date(ms).toLocaleTimeString();
  return h('figure', { class: 'scatter-figure' },
    h('div', { class: 'scatter', role: 'img', 'aria-label': `Durations of the ${traces.length} traces listed: up to ${formatDuration(maxDurationMs)}, started between ${time(fromMs)} and ${time(toMs)}` },
      h('span', { class: 'scatter-axis scatter-max' }, formatDuration(maxDurationMs)),
      h('span', { class: 'scatter-axis scatter-zero' }, '0'),
      h('div', { class: 'scatter-plot' }, points.map(({ trace, xPercent, yPercent }) => {
        const size = 8 + Math.min(10, Math.round(Math.sqrt(trace.spanCount) * 1.5));
        return h('a', {
          class: ['dot', trace.status === 'error' ? 'dot-error' : '', trace.settled && !trace.complete ? 'dot-broken' : ''],
          href: `#/trace/${trace.traceId}`, tabindex: '-1', 'aria-hidden': 'true',
          title: `${trace.rootService}: ${trace.rootName} · ${formatDuration(trace.durationMs)} · ${time(trace.startMs)}`,
          style: { left: `${xPercent}%`, bottom: `${yPercent}%`, width: `${size}px`, height: `${size}px` },
        });
      })),
    ),
    h('figcaption', { class: 'scatter-times', 'aria-hidden': 'true' }, h('span', null, time(fromMs)), h('span', null, time(toMs))),
  );
}

// Colours follow the collector's whole service list, so a service has one colour on the page.
function traceRow(trace, longest, now, serviceNames) {
  const started = new Date(trace.startMs);
  return h('li', null,
    h('a', { class: ['trace-row', trace.status === 'error' ? 'has-error' : ''], href: `#/trace/${trace.traceId}`, 'data-trace-id': trace.traceId },
      h('div', { class: 'trace-row-head' },
        h('span', { class: ['svc-swatch', `svc-${serviceColour(trace.rootService, serviceNames)}`], 'aria-hidden': 'true' }),
        h('span', { class: 'trace-title' }, h('span', { class: 'trace-service' }, trace.rootService), ': ', trace.rootName),
        h('span', { class: 'trace-duration' }, formatDuration(trace.durationMs)),
      ),
      h('div', { class: 'duration-track', 'aria-hidden': 'true' },
        h('span', { class: 'duration-fill', style: { width: `${Math.max(0.5, (trace.durationMs / longest) * 100)}%` } })),
      h('div', { class: 'trace-row-meta' },
        h('span', { class: 'meta-count' }, `${trace.spanCount} ${trace.spanCount === 1 ? 'span' : 'spans'}`),
        trace.errorCount ? h('span', { class: 'error-count' }, `${trace.errorCount} ${trace.errorCount === 1 ? 'error' : 'errors'}`) : null,
        completenessBadge(trace.complete, trace.settled),
        trace.services.map((service) => serviceChip(service, serviceNames)),
        trace.flows.map((flow) => flowChip(flow)),
        h('time', { class: 'trace-time', datetime: started.toISOString(), title: started.toLocaleString() }, formatAge(trace.startMs, now)),
      ),
    ),
  );
}
