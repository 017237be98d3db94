// ACCEPTANCE 3, shared by the Node-RED 4.x suite (integration) and the 5.x suite (platforms):
// automatic tracing end to end on a real Node-RED. One request with a caller's
// traceparent runs through split/join, delay, link out/in, a subflow, a Function node returning a
// new message, a Function node that throws and the Catch node that handles it. Every span (one
// per node per message) arrives at the OTLP receiver process in the caller's trace, each parent
// link points at the node the message came from, and no span is left open after the deadline.
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';
import type { FlowNode, NodeRedRuntime } from '../support/node-red-runtime';
import { httpCall, nodeIdOf, nodeTypeOf, settledSpans } from './support';

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const AUTO_DEADLINE_MS = 2_000;
const SERVER = 2;
const ERROR = 2;

const at = (x: number): { x: number; y: number } => ({ x, y: 100 });

/** http in → new-msg function → split → delay → join → link out ⇒ link in → subflow → throwing function ⇒ catch → change → http response. */
const FLOW: FlowNode[] = [
  { id: 'tab', type: 'tab', label: 'auto tracing' },
  { id: 'sub', type: 'subflow', name: 'enrich', in: [{ x: 50, y: 50, wires: [{ id: 'subChange' }] }], out: [{ x: 300, y: 50, wires: [{ id: 'subChange', port: 0 }] }] },
  { id: 'subChange', type: 'change', z: 'sub', name: 'inside subflow', rules: [{ t: 'set', p: 'enriched', pt: 'msg', to: 'yes', tot: 'str' }], ...at(150), wires: [[]] },
  { id: 'in', type: 'http in', z: 'tab', url: '/auto', method: 'get', ...at(100), wires: [['fresh']] },
  { id: 'fresh', type: 'function', z: 'tab', name: 'new message', func: 'return { payload: [1, 2, 3], req: msg.req, res: msg.res };', outputs: 1, ...at(200), wires: [['split']] },
  { id: 'split', type: 'split', z: 'tab', splt: '\\n', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '', ...at(300), wires: [['delay']] },
  { id: 'delay', type: 'delay', z: 'tab', pauseType: 'delay', timeout: '20', timeoutUnits: 'milliseconds', rate: '1', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, ...at(400), wires: [['join']] },
  { id: 'join', type: 'join', z: 'tab', mode: 'auto', build: 'array', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '', ...at(500), wires: [['linkOut']] },
  { id: 'linkOut', type: 'link out', z: 'tab', mode: 'link', links: ['linkIn'], ...at(600) },
  { id: 'linkIn', type: 'link in', z: 'tab', links: ['linkOut'], ...at(700), wires: [['subInstance']] },
  { id: 'subInstance', type: 'subflow:sub', z: 'tab', ...at(800), wires: [['thrower']] },
  { id: 'thrower', type: 'function', z: 'tab', name: 'fails', func: 'throw new Error("boom");', outputs: 1, ...at(900), wires: [[]] },
  { id: 'catch', type: 'catch', z: 'tab', scope: ['thrower'], uncaught: false, ...at(1000), wires: [['answer']] },
  { id: 'answer', type: 'change', z: 'tab', name: 'answer', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'handled', tot: 'str' }], ...at(1100), wires: [['respond']] },
  { id: 'respond', type: 'http response', z: 'tab', statusCode: '200', ...at(1200), wires: [] },
];

/** Which node each node's span must hang under (by node id): the node the message came from. */
const EXPECTED_PARENT: Record<string, string> = {
  fresh: 'in',
  split: 'fresh',
  delay: 'split',
  join: 'delay',
  linkOut: 'join',
  linkIn: 'linkOut',
  subInstance: 'linkIn',
  subChange: 'subInstance',
  thrower: 'subChange',
  catch: 'thrower',
  answer: 'catch',
  respond: 'answer',
};

/** settings.js for a runtime that traces automatically, exporting to `receiverUrl`. */
export function autoTraceSettings(receiverUrl: string): Record<string, unknown> {
  return {
    threadline: {
      autoTrace: {
        enabled: true,
        deadlineMs: AUTO_DEADLINE_MS,
        config: { service: { name: 'auto-flows' }, exporter: { tracesEndpoint: receiverUrl, protocol: 'http/json', queue: { scheduledDelayMillis: 50 } } },
      },
    },
  };
}

function byNode(spans: ReceivedSpan[], id: string): ReceivedSpan[] {
  return spans.filter((span) => nodeIdOf(span) === id || (id === 'subChange' && nodeTypeOf(span) === 'change' && span.name === 'inside subflow'));
}

/**
 * Registers the acceptance 3 suite. `startRuntime(settings)` starts a Node-RED with
 * @threadline/node-red installed and these settings; it is stopped after the suite.
 */
export function describeAutoTracing(title: string, startRuntime: (settings: Record<string, unknown>) => Promise<NodeRedRuntime>): void {
  describe(title, () => {
    let receiver: Receiver;
    let red: NodeRedRuntime;

    beforeAll(async () => {
      receiver = await startReceiver();
      red = await startRuntime(autoTraceSettings(receiver.url));
      await red.deploy(FLOW);
    });

    afterAll(async () => {
      await red?.stop();
      await receiver?.stop();
    });

    test('every node of the flow gets a span in the caller trace, with the right parent, none left open', async () => {
      const answer = await httpCall(`${red.apiUrl}/auto`, { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('handled');
      expect(answer.headers.traceparent).toBeUndefined();

      // past the deadline: whatever was still open has been ended and exported by now
      await new Promise((resolve) => setTimeout(resolve, AUTO_DEADLINE_MS + 1500));
      const spans = await settledSpans(() => receiver.spans(), 1000, 20_000);

      expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([CALLER_TRACE]));
      const root = byNode(spans, 'in');
      expect(root).toHaveLength(1);
      expect(root[0]!.parentSpanId).toBe(CALLER_SPAN);
      expect(root[0]!.kind).toBe(SERVER);
      expect(root[0]!.name).toBe('GET /auto');
      expect(root[0]!.attributes['http.response.status_code']).toBe(200);

      // one span per node per message: three parts through delay and join
      const counts: Record<string, number> = {};
      for (const id of ['in', ...Object.keys(EXPECTED_PARENT)]) counts[id] = byNode(spans, id).length;
      expect(counts).toEqual({ in: 1, fresh: 1, split: 1, delay: 3, join: 3, linkOut: 1, linkIn: 1, subInstance: 1, subChange: 1, thrower: 1, catch: 1, answer: 1, respond: 1 });
      expect(spans).toHaveLength(17);

      const bySpanId = new Map(spans.map((span) => [span.spanId, span]));
      for (const [id, parentId] of Object.entries(EXPECTED_PARENT)) {
        for (const span of byNode(spans, id)) {
          const parent = bySpanId.get(span.parentSpanId ?? '');
          expect({ node: id, parent: parent && (parent.name === 'inside subflow' ? 'subChange' : nodeIdOf(parent)) }).toEqual({ node: id, parent: parentId });
        }
      }
      // each delayed part hangs under the split, and each join span under its own part's delay span
      const delaySpans = new Set(byNode(spans, 'delay').map((span) => span.spanId));
      expect(new Set(byNode(spans, 'join').map((span) => span.parentSpanId))).toEqual(delaySpans);

      const thrower = byNode(spans, 'thrower')[0]!;
      expect(thrower.status.code).toBe(ERROR);
      expect(thrower.events.some((event) => event.name === 'exception')).toBe(true);
      // every span names the tab it runs on, nodes inside the subflow instance included (the flow view groups by them)
      expect(new Set(spans.map((span) => `${String(span.attributes['node_red.flow.id'])} ${String(span.attributes['node_red.flow.name'])}`))).toEqual(new Set(['tab auto tracing']));
      // nothing was abandoned: every node ended its span (done, its end rule, or the response)
      expect(spans.filter((span) => span.attributes['threadline.span.incomplete'] === true).map((span) => span.name)).toEqual([]);
    });
  });
}
