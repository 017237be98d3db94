// The manual nodes on a real Node-RED 4.x (the repository's dev dependency), flows deployed through
// the admin API, spans read at the real OTLP receiver process:
// - inject takes the destination for the baggage rules from the URL in the wired `http request`
//   node's own form (no msg.url, no Destination field);
// - the trace headers inject wrote never reach the caller through an `http response` when the
//   `http request` fails, on its output path and on a Catch path, with no span end in between;
// - every span of the manual nodes carries the node_red.* attributes of its tab and node.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';
import type { FlowNode, NodeRedRuntime } from '../support/node-red-runtime';
import { startNodeRed } from '../support/node-red-runtime';
import { startUpstream } from '../../interceptor/test/proxy/support';
import type { Upstream } from '../../interceptor/test/proxy/support';
import { builtPackageDir, httpCall } from './support';

jest.setTimeout(60_000);

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER = `00-${CALLER_TRACE}-b7ad6b7169203331-01`;
const SERVICE = 'stock-flow';
const RULES = ['baggage:', '  accept: [tenant.id]', '  internalHosts: ["127.0.0.1"]', '  forward:', '    - keys: [tenant.id]', '      to: internal', ''].join('\n');

/** A port nothing listens on: a server is opened on it and closed again. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function flows(stockUrl: string, deadUrl: string, receiverUrl: string): FlowNode[] {
  let y = 0;
  const row = (): number => (y += 60);
  const node = (fields: FlowNode, x: number, at: number): FlowNode => ({ z: 'tab', x, y: at, ...fields });
  const statusCode = (id: string, code: number, at: number, next: string): FlowNode =>
    node({ id, type: 'function', func: `msg.statusCode = ${code};\nreturn msg;`, outputs: 1, wires: [[next]] }, 500, at);
  const a = row();
  const b = row();
  const c = row();
  const d = row();
  return [
    { id: 'tab', type: 'tab', label: 'Stock checks' },
    {
      id: 'cfg',
      type: 'threadline-config',
      serviceName: SERVICE,
      endpoint: receiverUrl,
      protocol: 'http/json',
      sampler: 'parentbased_always_on',
      rulesSource: 'inline',
      rules: RULES,
      deadline: '30',
    },
    // the URL is in the http request node's form only
    node({ id: 'inStock', type: 'http in', url: '/stock', method: 'get', wires: [['traceStock']] }, 100, a),
    node({ id: 'traceStock', type: 'threadline-trace-in', name: 'from caller', config: 'cfg', source: 'auto', wires: [['startStock']] }, 200, a),
    node({ id: 'startStock', type: 'threadline-span-start', config: 'cfg', spanName: 'reserve stock', wires: [['injectStock']] }, 300, a),
    node({ id: 'injectStock', type: 'threadline-inject', config: 'cfg', target: 'auto', wires: [['callStock']] }, 400, a),
    node({ id: 'callStock', type: 'http request', method: 'GET', ret: 'obj', paytoqs: 'ignore', url: `${stockUrl}/stock/42`, wires: [['endStock']] }, 500, a),
    node({ id: 'endStock', type: 'threadline-span-end', config: 'cfg', wires: [['answerStock']] }, 600, a),
    node({ id: 'answerStock', type: 'http response', wires: [] }, 700, a),
    // a failed call on the request node's output path, no span end
    node({ id: 'inFail', type: 'http in', url: '/fail', method: 'get', wires: [['traceFail']] }, 100, b),
    node({ id: 'traceFail', type: 'threadline-trace-in', config: 'cfg', wires: [['injectFail']] }, 200, b),
    node({ id: 'injectFail', type: 'threadline-inject', config: 'cfg', wires: [['callFail']] }, 300, b),
    node({ id: 'callFail', type: 'http request', method: 'GET', ret: 'txt', paytoqs: 'ignore', url: deadUrl, wires: [['status502']] }, 400, b),
    statusCode('status502', 502, b, 'answerFail'),
    node({ id: 'answerFail', type: 'http response', wires: [] }, 700, b),
    // a failed call that only goes to a Catch node (a clone of the message)
    node({ id: 'inCatch', type: 'http in', url: '/fail-catch', method: 'get', wires: [['traceCatch']] }, 100, c),
    node({ id: 'traceCatch', type: 'threadline-trace-in', config: 'cfg', wires: [['injectCatch']] }, 200, c),
    node({ id: 'injectCatch', type: 'threadline-inject', config: 'cfg', wires: [['callCatch']] }, 300, c),
    node({ id: 'callCatch', type: 'http request', method: 'GET', ret: 'txt', paytoqs: 'ignore', senderr: true, url: deadUrl, wires: [[]] }, 400, c),
    node({ id: 'catch', type: 'catch', scope: ['callCatch'], uncaught: false, wires: [['status503']] }, 300, d),
    statusCode('status503', 503, d, 'answerCatch'),
    node({ id: 'answerCatch', type: 'http response', wires: [] }, 700, d),
  ];
}

const TRACE_FIELDS = ['traceparent', 'tracestate', 'baggage'];

describe('Node-RED 4.x: inject destination from the http request form, no trace headers back to the caller, node_red.* attributes', () => {
  let receiver: Receiver;
  let stock: Upstream;
  let red: NodeRedRuntime;

  beforeAll(async () => {
    receiver = await startReceiver();
    stock = await startUpstream((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ sku: 42, inStock: true }));
    });
    red = await startNodeRed({ nodesDir: builtPackageDir() });
    await red.deploy(flows(stock.url, `http://127.0.0.1:${await closedPort()}/down`, receiver.url));
  });

  afterAll(async () => {
    await red?.stop();
    await stock?.close();
    await receiver?.stop();
  });

  const call = (path: string): ReturnType<typeof httpCall> =>
    httpCall(`${red.apiUrl}${path}`, { headers: { traceparent: CALLER, baggage: 'tenant.id=acme,user.email=bob%40example.com' } });

  test("baggage goes to the host in the wired http request node's form; spans carry their tab and node", async () => {
    const answer = await call('/stock');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ sku: 42, inStock: true });
    expect(stock.requests).toHaveLength(1);
    const sent = stock.requests[0]!.headers;
    expect(String(sent.traceparent).split('-')[1]).toBe(CALLER_TRACE);
    expect(sent.baggage).toBe('tenant.id=acme');
    for (const field of TRACE_FIELDS) expect(answer.headers[field]).toBeUndefined();

    const spans = await receiver.waitForSpans((all) => all.some((span) => span.name === 'reserve stock'), 20_000);
    const byNode = new Map<unknown, ReceivedSpan>(spans.map((span) => [span.attributes['node_red.node.id'], span]));
    expect(byNode.get('traceStock')?.attributes).toMatchObject({
      'node_red.flow.id': 'tab',
      'node_red.flow.name': 'Stock checks',
      'node_red.node.name': 'from caller',
      'node_red.node.type': 'threadline-trace-in',
    });
    expect(byNode.get('startStock')?.attributes).toMatchObject({ 'node_red.flow.name': 'Stock checks', 'node_red.node.type': 'threadline-span-start' });
    expect(byNode.get('startStock')?.name).toBe('reserve stock');
  });

  test.each([
    ['/fail', 502, "on the http request node's output path", /ECONNREFUSED/],
    ['/fail-catch', 503, 'on a Catch path', /^\{\}$/],
  ])('%s: a failed http request sends no trace headers back to the caller %s', async (path, status, _where, body) => {
    const answer = await call(path);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatch(body); // the flow's own answer, so the path did run
    for (const field of TRACE_FIELDS) expect(answer.headers[field]).toBeUndefined();
  });
});
