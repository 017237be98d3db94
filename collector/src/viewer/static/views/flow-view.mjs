// The flow view: the trace as its people know it. Node-RED flows and n8n workflows appear under
// their flow and node names, one card per node in the order the nodes ran; the services around
// them (interceptor, APIs) appear as the steps before and after. A step where the context was
// lost is marked. Choosing a card shows that span's details beside the journey.
/* global history */
import { h, replaceChildren } from '../dom.mjs';
import { breaksBySpan, flowJourney, formatDuration, isError, platformLabel, serviceColour, traceBounds } from '../model.mjs';
import { routeHash } from '../route.mjs';
import { errorMark, kindBadge, platformShort } from './parts.mjs';
import { spanDetails } from './span-details.mjs';

export function renderFlowView(container, detail, route, colourOrder) {
  const { summary, spans, audit, flowView } = detail;
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const breaks = breaksBySpan(audit, summary.traceId);
  const bounds = traceBounds(spans);
  const sections = flowJourney(flowView, spans);
  let selected = route.spanId && byId.has(route.spanId) ? route.spanId : undefined;

  const journey = h('ol', { class: 'journey', 'aria-label': 'Steps of the trace in order' });
  const aside = h('div', { class: 'flow-details' });
  const select = (spanId) => {
    selected = spanId;
    history.replaceState(null, '', routeHash({ ...route, spanId }));
    draw();
  };
  const draw = () => {
    replaceChildren(journey, sections.map((section) =>
      section.type === 'flow'
        ? flowSection(section.flow, { byId, breaks, selected, select })
        : serviceSection(section, { colourOrder, breaks, selected, select })));
    const span = selected && byId.get(selected);
    replaceChildren(aside, span
      ? spanDetails(span, { id: `details-${span.spanId}`, traceStartMs: bounds.startMs, audit, breaks: breaks.get(span.spanId) || [], traceId: summary.traceId })
      : h('p', { class: 'muted hint-panel' }, 'Choose a step to see its span: attributes, events and timing.'));
  };
  draw();

  const noFlows = (flowView.flows || []).length === 0;
  replaceChildren(container, h('div', { class: 'flow-layout' },
    h('section', { class: 'flow-journey', 'aria-label': 'Flow view' },
      noFlows ? h('p', { class: 'notice notice-info' }, 'No span of this trace carries Node-RED or n8n flow attributes; the services it passed are shown in order.') : null,
      journey),
    aside));
}

function serviceSection(section, { colourOrder, breaks, selected, select }) {
  const colour = `svc-${serviceColour(section.service, colourOrder)}`;
  return h('li', { class: ['journey-step', 'journey-service'] },
    h('div', { class: 'step-head' },
      h('span', { class: ['svc-swatch', colour], 'aria-hidden': 'true' }),
      h('h3', null, section.service),
      h('span', { class: 'muted' }, 'service')),
    h('ul', { class: 'service-spans' }, section.spans.map((span) => h('li', null,
      h('button', { type: 'button', class: ['span-pill', span.spanId === selected ? 'selected' : '', isError(span) ? 'is-error' : ''], 'aria-pressed': String(span.spanId === selected), 'data-span-id': span.spanId, onclick: () => select(span.spanId) },
        kindBadge(span.kind),
        h('span', { class: 'pill-name' }, span.name),
        h('span', { class: 'pill-duration' }, formatDuration(span.durationMs)),
        isError(span) ? errorMark() : null,
        breakFlag(breaks.get(span.spanId)))))),
  );
}

function flowSection(flow, { byId, breaks, selected, select }) {
  return h('li', { class: ['journey-step', 'journey-flow', `platform-${flow.platform}`] },
    h('div', { class: 'step-head' },
      h('span', { class: 'platform-tag' }, platformShort(flow.platform)),
      h('h3', null, flow.flowName),
      h('span', { class: 'muted' }, `${platformLabel(flow.platform)} · ${flow.steps.length} ${flow.steps.length === 1 ? 'node' : 'nodes'} · ${formatDuration(flow.durationMs)}`)),
    h('ol', { class: 'node-chain' }, flow.steps.map((step) => {
      const first = step.spanIds[0];
      const stepBreaks = step.spanIds.flatMap((id) => breaks.get(id) || []);
      const chosen = step.spanIds.includes(selected);
      const error = step.status === 'error';
      const runs = step.spanIds.map((id) => byId.get(id)).filter(Boolean);
      // Where the context was lost, the step on the other side of the break (in another trace)
      // is shown as a dashed card: before this step when this trace began here, after it when
      // the flow went on without this trace's context.
      const before = stepBreaks.filter((item) => item.role === 'new-root').flatMap((item) => [ghostCard(item.from, 'the caller’s trace'), breakMarker()]);
      const after = stepBreaks.filter((item) => item.role === 'caller').flatMap((item) => [breakMarker(), ghostCard(item.at, 'a new trace')]);
      return [...before, h('li', { class: 'node-link' },
        h('button', {
          type: 'button', class: ['node-card', error ? 'is-error' : '', chosen ? 'selected' : '', stepBreaks.length ? 'has-break' : ''],
          'aria-pressed': String(chosen), 'data-span-id': first, 'data-node-name': step.step.nodeName,
          onclick: () => select(chosen && runs.length > 1 ? nextRun(step.spanIds, selected) : first),
        },
        h('span', { class: 'node-name' }, step.step.nodeName),
        step.step.nodeType ? h('span', { class: 'node-type' }, step.step.nodeType) : null,
        h('span', { class: 'node-meta' },
          formatDuration(step.durationMs),
          runs.length > 1 ? h('span', { class: 'flag', title: 'This node ran more than once in the trace; choose again for the next run' }, `×${runs.length}`) : null,
          error ? errorMark() : null),
        breakFlag(stepBreaks))), ...after];
    })),
  );
}

function ghostCard(place, where) {
  const name = place.step ? place.step.nodeName : `${place.service}: ${place.spanName}`;
  return h('li', { class: ['node-link', 'ghost'] },
    h('a', { class: ['node-card', 'ghost-card'], href: routeHash({ view: 'trace', traceId: place.traceId, tab: 'flow', spanId: place.spanId }), title: `Open ${where}` },
      h('span', { class: 'node-name' }, name),
      place.step && place.step.nodeType ? h('span', { class: 'node-type' }, place.step.nodeType) : null,
      h('span', { class: 'node-meta' }, `in ${where}`)));
}

function breakMarker() {
  return h('li', { class: 'break-marker' }, h('span', { 'aria-hidden': 'true' }, '⇢'), ' context lost');
}

function nextRun(spanIds, selected) {
  return spanIds[(spanIds.indexOf(selected) + 1) % spanIds.length];
}

function breakFlag(items) {
  if (!items || items.length === 0) return null;
  const lostHere = items.some((item) => item.role === 'new-root');
  return h('span', { class: ['flag', 'flag-error'], title: items.map((item) => item.reason).join('\n') }, lostHere ? 'context lost before this step' : 'context lost after this step');
}
