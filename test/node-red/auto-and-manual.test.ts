// Automatic tracing and the trace nodes in one flow on Node-RED 4.x: both read and write
// msg.threadline, so the caller's request is one trace, and the automatic spans of the nodes
// between span start and span end hang under the span start's span.
import type { Receiver } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';
import type { FlowNode, NodeRedRuntime } from '../support/node-red-runtime';
import { startNodeRed } from '../support/node-red-runtime';
import { builtPackageDir, httpCall, nodeIdOf } from './support';

jest.setTimeout(60_000);

const CALLER_TRACE = '6bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '20f067aa0ba902b7';

function flow(receiverUrl: string): FlowNode[] {
  const at = (x: number): { x: number; y: number } => ({ x, y: 100 });
  return [
    { id: 'tab', type: 'tab', label: 'both' },
    { id: 'cfg', type: 'threadline-config', serviceName: 'both', endpoint: receiverUrl, protocol: 'http/json', rulesSource: 'default', autoTracing: true, deadline: '30' },
    { id: 'in', type: 'http in', z: 'tab', url: '/both', method: 'get', ...at(100), wires: [['traceIn']] },
    { id: 'traceIn', type: 'threadline-trace-in', z: 'tab', config: 'cfg', source: 'auto', ...at(200), wires: [['start']] },
    { id: 'start', type: 'threadline-span-start', z: 'tab', config: 'cfg', spanName: 'section', kind: 'internal', ...at(300), wires: [['work']] },
    { id: 'work', type: 'change', z: 'tab', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'done', tot: 'str' }], ...at(400), wires: [['more']] },
    { id: 'more', type: 'change', z: 'tab', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'x', tot: 'str' }], ...at(500), wires: [['end']] },
    { id: 'end', type: 'threadline-span-end', z: 'tab', config: 'cfg', spanName: 'section', ...at(600), wires: [['out']] },
    { id: 'out', type: 'http response', z: 'tab', statusCode: '200', ...at(700), wires: [] },
  ];
}

let receiver: Receiver;
let red: NodeRedRuntime;

beforeAll(async () => {
  receiver = await startReceiver();
  red = await startNodeRed({ nodesDir: builtPackageDir() });
  await red.deploy(flow(receiver.url));
});

afterAll(async () => {
  await red?.stop();
  await receiver?.stop();
});

/**
 * An automatic span: the manual nodes' spans carry node_red.* too, but automatic spans are named
 * after the node (its type here, none is named) or, for `http in`, its route.
 */
function isAutomatic(span: { name: string; attributes: Record<string, unknown> }): boolean {
  return span.name === 'GET /both' || (span.attributes['node_red.node.type'] !== undefined && span.name === span.attributes['node_red.node.type']);
}

test('one trace; automatic spans inside a span start/end section hang under its span', async () => {
  const answer = await httpCall(`${red.apiUrl}/both`, { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
  expect(answer.body).toBe('done');
  // seven automatic node spans, the section span, and trace in's own span
  const spans = await receiver.waitForSpans((all) => all.some((span) => span.name === 'section') && all.filter(isAutomatic).length >= 7, 20_000);
  expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([CALLER_TRACE]));
  const section = spans.find((span) => span.name === 'section' && !isAutomatic(span))!;
  expect(section).toBeDefined();
  const auto = new Map(spans.filter(isAutomatic).map((span) => [nodeIdOf(span), span]));
  expect([...auto.keys()].sort()).toEqual(['end', 'in', 'more', 'out', 'start', 'traceIn', 'work']);
  expect(auto.get('in')!.parentSpanId).toBe(CALLER_SPAN);
  for (const inside of ['work', 'more', 'end']) expect({ node: inside, parent: auto.get(inside)!.parentSpanId }).toEqual({ node: inside, parent: section.spanId });
  // every parent is a span of this trace, or the caller's
  const ids = new Set([...spans.map((span) => span.spanId), CALLER_SPAN]);
  for (const span of spans) expect(ids.has(span.parentSpanId ?? '')).toBe(true);
});
