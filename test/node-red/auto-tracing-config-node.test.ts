// Automatic tracing switched on by a threadline-config node instead of settings.js, on Node-RED
// 4.x: spans go through that config node's exporter while it is deployed with the box ticked, and
// stop (hooks removed by label) once it is redeployed with the box cleared.
import type { Receiver } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';
import type { FlowNode, NodeRedRuntime } from '../support/node-red-runtime';
import { startNodeRed } from '../support/node-red-runtime';
import { builtPackageDir, httpCall, nodeIdOf, settledSpans } from './support';

jest.setTimeout(60_000);

const CALLER_TRACE = '5bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '10f067aa0ba902b7';

function flow(receiverUrl: string, autoTracing: boolean): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'config node' },
    { id: 'cfg', type: 'threadline-config', serviceName: 'auto-by-config', endpoint: receiverUrl, protocol: 'http/json', rulesSource: 'default', autoTracing, deadline: '30' },
    { id: 'in', type: 'http in', z: 'tab', url: '/hello', method: 'get', x: 100, y: 100, wires: [['greet']] },
    { id: 'greet', type: 'change', z: 'tab', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'hello', tot: 'str' }], x: 200, y: 100, wires: [['out']] },
    { id: 'out', type: 'http response', z: 'tab', statusCode: '200', x: 300, y: 100, wires: [] },
  ];
}

let receiver: Receiver;
let red: NodeRedRuntime;

beforeAll(async () => {
  receiver = await startReceiver();
  red = await startNodeRed({ nodesDir: builtPackageDir() });
});

afterAll(async () => {
  await red?.stop();
  await receiver?.stop();
});

test('on while the config node has the box ticked, off after it is redeployed without', async () => {
  await red.deploy(flow(receiver.url, true));
  const answer = await httpCall(`${red.apiUrl}/hello`, { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
  expect(answer.body).toBe('hello');
  // the config node's exporter sends every 5 s by default
  const spans = await receiver.waitForSpans(3, 20_000);
  expect(spans.map(nodeIdOf).sort()).toEqual(['greet', 'in', 'out']);
  expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([CALLER_TRACE]));
  const byNode = new Map(spans.map((span) => [nodeIdOf(span), span]));
  expect(byNode.get('in')!.parentSpanId).toBe(CALLER_SPAN);
  expect(byNode.get('greet')!.parentSpanId).toBe(byNode.get('in')!.spanId);
  expect(byNode.get('out')!.parentSpanId).toBe(byNode.get('greet')!.spanId);
  expect(byNode.get('in')!.resource['service.name']).toBe('auto-by-config');

  await red.deploy(flow(receiver.url, false));
  await receiver.clear();
  expect((await httpCall(`${red.apiUrl}/hello`)).body).toBe('hello');
  // no node span from the plugin any more (the trace nodes are not in this flow either)
  expect(await settledSpans(() => receiver.spans(), 6_000, 20_000)).toEqual([]);
});
