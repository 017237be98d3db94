// ACCEPTANCE 2, shared by the Node-RED 4.x suite (integration) and the 5.x suite (platforms):
//
//   caller ──▶ interceptor ingress ──▶ Node-RED: http in → trace in → function → span start →
//              inject → http request ──▶ interceptor egress ──▶ test server
//                                        ← span end → http response ◀──
//
// The interceptor runs as users run it (`threadline proxy --config FILE`, its own process), the
// Node-RED runtime is started by the caller of this suite with the package installed, the flow is
// deployed through the admin API, spans are checked as they arrive at the OTLP receiver process.
// A request with traceparent T gives one trace T: caller → interceptor SERVER → Node-RED spans →
// interceptor CLIENT, the test server gets a child of that CLIENT span, and the baggage that
// reaches it is only what the rules allow.
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';
import type { FlowNode, NodeRedRuntime } from '../support/node-red-runtime';
import { TempFolder, startUpstream } from '../../interceptor/test/proxy/support';
import type { Upstream } from '../../interceptor/test/proxy/support';
import { startProxyProcess } from '../../interceptor/test/proxy/process-support';
import type { ProxyProcess } from '../../interceptor/test/proxy/process-support';
import { httpCall } from './support';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const SERVER = 2;
const CLIENT = 3;
const FLOW_SERVICE = 'orders-flow';
const PROXY_SERVICE = 'edge-interceptor';

function manualFlow(proxyUrl: string, receiverUrl: string): FlowNode[] {
  const at = (x: number): { x: number; y: number } => ({ x, y: 100 });
  return [
    { id: 'tab', type: 'tab', label: 'orders' },
    {
      id: 'cfg',
      type: 'threadline-config',
      name: 'tracing',
      serviceName: FLOW_SERVICE,
      endpoint: receiverUrl,
      protocol: 'http/json',
      sampler: 'parentbased_always_on',
      ratio: '1',
      rulesSource: 'default',
      autoTracing: false,
      deadline: '30',
    },
    { id: 'in', type: 'http in', z: 'tab', url: '/orders', method: 'post', ...at(100), wires: [['traceIn']] },
    { id: 'traceIn', type: 'threadline-trace-in', z: 'tab', config: 'cfg', source: 'auto', ...at(200), wires: [['prepare']] },
    {
      id: 'prepare',
      type: 'function',
      z: 'tab',
      name: 'prepare charge',
      // the call's URL on the message: the inject node checks the baggage rules against its host
      func: `msg.payload = { order: 42, amount: 1999 };\nmsg.url = ${JSON.stringify(`${proxyUrl}/payments/charge`)};\nreturn msg;`,
      outputs: 1,
      ...at(300),
      wires: [['start']],
    },
    { id: 'start', type: 'threadline-span-start', z: 'tab', config: 'cfg', spanName: 'charge order', kind: 'internal', ...at(400), wires: [['inject']] },
    { id: 'inject', type: 'threadline-inject', z: 'tab', config: 'cfg', target: 'auto', ...at(500), wires: [['call']] },
    { id: 'call', type: 'http request', z: 'tab', method: 'POST', ret: 'obj', paytoqs: 'ignore', url: '', ...at(600), wires: [['end']] },
    { id: 'end', type: 'threadline-span-end', z: 'tab', config: 'cfg', spanName: 'charge order', ...at(700), wires: [['respond']] },
    { id: 'respond', type: 'http response', z: 'tab', statusCode: '200', ...at(800), wires: [] },
  ];
}

function proxyConfig(nodeRedApiUrl: string, paymentsUrl: string, receiverUrl: string): string {
  return [
    'listen: { host: 127.0.0.1, port: 0 }',
    'routes:',
    '  - name: flows',
    '    path: /flows',
    `    upstream: ${nodeRedApiUrl}`,
    '    stripPrefix: true',
    '  - name: payments',
    '    path: /payments',
    `    upstream: ${paymentsUrl}`,
    '    direction: egress',
    `service: { name: ${PROXY_SERVICE} }`,
    'exporter:',
    `  tracesEndpoint: ${receiverUrl}`,
    '  protocol: http/json',
    '  queue: { scheduledDelayMillis: 50 }',
    'admin: { enabled: false }',
    'redaction:',
    '  rules:',
    '    baggage:',
    '      accept: [tenant.id]',
    '      forward:',
    '        - keys: [tenant.id]',
    '          to: any',
    '',
  ].join('\n');
}

function serviceOf(span: ReceivedSpan): string {
  return String(span.resource['service.name']);
}

/**
 * Registers the acceptance 2 suite. `startRuntime` starts a Node-RED with @threadline/node-red
 * installed; it is stopped after the suite.
 */
export function describeManualFlow(title: string, startRuntime: () => Promise<NodeRedRuntime>): void {
  describe(title, () => {
    let folder: TempFolder;
    let receiver: Receiver;
    let payments: Upstream;
    let red: NodeRedRuntime;
    let proxy: ProxyProcess;

    beforeAll(async () => {
      folder = new TempFolder();
      receiver = await startReceiver();
      payments = await startUpstream((_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ charged: true }));
      });
      red = await startRuntime();
      proxy = await startProxyProcess(folder.write(proxyConfig(red.apiUrl, payments.url, receiver.url), 'interceptor.yaml'));
      await red.deploy(manualFlow(`http://127.0.0.1:${proxy.port}`, receiver.url));
    });

    afterAll(async () => {
      await proxy?.stop('SIGTERM');
      await red?.stop();
      await payments?.close();
      await receiver?.stop();
      folder?.remove();
    });

    test('one trace T: caller → interceptor SERVER → Node-RED spans → interceptor CLIENT → test server, only allowed baggage', async () => {
      const answer = await httpCall(`http://127.0.0.1:${proxy.port}/flows/orders`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
          baggage: 'tenant.id=acme,user.email=bob%40example.com',
        },
        body: JSON.stringify({ order: 42 }),
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ charged: true });
      // the caller gets no trace headers back from the flow's http response
      expect(answer.headers.traceparent).toBeUndefined();

      // the test server got a child of the interceptor's CLIENT span, with the allowed baggage only
      expect(payments.requests).toHaveLength(1);
      const received = payments.requests[0]!.headers;
      const [, traceId, parentId] = String(received.traceparent).split('-');
      expect(traceId).toBe(CALLER_TRACE);
      expect(received.baggage).toBe('tenant.id=acme');

      const spans = await receiver.waitForSpans(
        (all) => all.some((span) => span.spanId === parentId) && all.some((span) => serviceOf(span) === FLOW_SERVICE && span.name === 'charge order') && all.filter((span) => serviceOf(span) === PROXY_SERVICE).length >= 2,
        20_000,
      );
      expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([CALLER_TRACE]));
      const byId = new Map(spans.map((span) => [span.spanId, span]));

      const client = byId.get(parentId!)!;
      expect(serviceOf(client)).toBe(PROXY_SERVICE);
      expect(client.kind).toBe(CLIENT);
      const server = spans.find((span) => serviceOf(span) === PROXY_SERVICE && span.kind === SERVER)!;
      expect(server.parentSpanId).toBe(CALLER_SPAN);

      // from the CLIENT span up: Node-RED spans only, ending at the interceptor's SERVER span
      const chain: ReceivedSpan[] = [];
      let cursor = byId.get(client.parentSpanId ?? '');
      while (cursor !== undefined && serviceOf(cursor) === FLOW_SERVICE) {
        chain.push(cursor);
        cursor = byId.get(cursor.parentSpanId ?? '');
      }
      expect(cursor?.spanId).toBe(server.spanId);
      expect(chain.length).toBeGreaterThanOrEqual(1);
      expect(chain[0]!.name).toBe('charge order');

      // no baggage member the rules strip shows up in any span
      expect(JSON.stringify(spans)).not.toContain('bob');
    });
  });
}
