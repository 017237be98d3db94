// The Node-RED flow the demo deploys: samples/node-red/demo-flow.json with this run's addresses
// filled in, or its broken variant, where one step drops the trace context.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FlowNode } from '../test/support/node-red-runtime';

export const DEMO_FLOW_FILE = path.join(__dirname, '..', 'samples', 'node-red', 'demo-flow.json');
/** The flow (Node-RED tab) id: the name the collector shows the flow under. */
export const DEMO_FLOW_ID = 'threadline-demo';
/** The step --broken-step breaks. */
export const BROKEN_STEP_NAME = 'validate order';
/** Where the flow's `http in` listens (under Node-RED's httpNodeRoot). */
export const DEMO_FLOW_PATH = '/orders';

/**
 * The broken "validate order": it answers from a callback with a brand-new message that keeps
 * the request, the response and the payload but not `msg.threadline`. By then the node has
 * finished (no node.done() in the code, so Node-RED calls done() when the function returns), so
 * not even automatic tracing can tell which execution the new message belongs to: the rest of
 * the flow, the egress call and the stock API run in a new trace.
 */
const BROKEN_VALIDATE_ORDER = [
  '// Broken on purpose (npm start -- --broken-step): the new message sent from the callback',
  '// carries the request and the order but not msg.threadline, so the trace context stops here.',
  'const order = msg.payload || {};',
  "const item = typeof order.item === 'string' && order.item !== '' ? order.item : 'sku-42';",
  'const quantity = Number.isInteger(order.quantity) && order.quantity > 0 ? order.quantity : 1;',
  "const url = env.get('STOCK_API_URL') + '/reservations';",
  'setTimeout(() => node.send({ payload: { item, quantity }, url, req: msg.req, res: msg.res }), 0);',
  'return null;',
].join('\n');

export interface DemoFlowOptions {
  /** The collector's OTLP/HTTP traces endpoint, for the flow's Threadline configuration node. */
  tracesUrl: string;
  /** The interceptor's egress route to the stock API, e.g. http://127.0.0.1:8080/stock */
  stockApiUrl: string;
  brokenStep?: boolean;
}

function isFlowNode(value: unknown): value is FlowNode {
  return typeof value === 'object' && value !== null && typeof (value as FlowNode).id === 'string' && typeof (value as FlowNode).type === 'string';
}

/** Reads the sample flow; throws naming the file when it is not an array of nodes. */
export function readSampleFlow(file = DEMO_FLOW_FILE): FlowNode[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every(isFlowNode)) throw new Error(`${file}: expected a JSON array of Node-RED nodes, each with an id and a type`);
  return parsed;
}

function findNode(flow: FlowNode[], what: string, match: (node: FlowNode) => boolean): FlowNode {
  const node = flow.find(match);
  if (node === undefined) throw new Error(`${DEMO_FLOW_FILE}: the demo needs ${what}, and the flow has none`);
  return node;
}

/** The flow to deploy: this run's addresses in, and the broken step when asked for. */
export function demoFlow(options: DemoFlowOptions): FlowNode[] {
  const flow = readSampleFlow().map((node) => ({ ...node }));
  findNode(flow, 'a threadline-config node', (node) => node.type === 'threadline-config').endpoint = options.tracesUrl;
  const tab = findNode(flow, `the tab "${DEMO_FLOW_ID}"`, (node) => node.type === 'tab' && node.id === DEMO_FLOW_ID);
  tab.env = [{ name: 'STOCK_API_URL', value: options.stockApiUrl, type: 'str' }];
  if (options.brokenStep === true) {
    findNode(flow, `a function node "${BROKEN_STEP_NAME}"`, (node) => node.type === 'function' && node.name === BROKEN_STEP_NAME).func = BROKEN_VALIDATE_ORDER;
  }
  return flow;
}
