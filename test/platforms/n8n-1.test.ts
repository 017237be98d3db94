// ISSUE 6, ACCEPTANCE 2: a real n8n 1.x (installed on demand into the platform cache), the built
// Threadline node loaded through N8N_CUSTOM_EXTENSIONS, the samples/n8n workflows imported with
// n8n's command line and activated: traced-webhook.json (Threadline's own HTTP Request) and
// core-http-request.json (Outbound Headers → n8n's HTTP Request node → End Span). A call through the interceptor with traceparent T gives
// ONE trace T at the OTLP receiver process: interceptor SERVER → Threadline spans in n8n →
// interceptor CLIENT for the workflow's outbound call, and the downstream server receives a child
// of that CLIENT span carrying only the baggage the rules allow.
import { ensureN8n1 } from '../support/n8n-install';
import { INTERCEPTOR_SERVICE_NAME, N8N_SERVICE_NAME, callWebhook, startN8nScenario, waitForExecutionOfTrace, waitForTrace } from '../support/n8n-scenario';
import type { N8nScenario } from '../support/n8n-scenario';
import { ancestors, danglingParents, describeTrace, serviceOf } from '../support/trace-tree';

// A cold install of n8n (about 1,900 packages and a native sqlite3 build) takes minutes on a
// loaded 2-core machine; a warm cache makes this a few seconds.
const INSTALL_AND_START_MS = 40 * 60_000;
jest.setTimeout(180_000);

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
/** The caller's trace of the core HTTP Request sample. */
const CORE_TRACE = '3c2a4b8e9f0a1b2c0af7651916cd43dd';
const CORE_CALLER_SPAN = 'c3b2a1908f7e6d5c';
const INTERNAL = 1;
const SERVER = 2;
const CLIENT = 3;

let scenario: N8nScenario;

beforeAll(async () => {
  scenario = await startN8nScenario({ install: await ensureN8n1() });
}, INSTALL_AND_START_MS);

afterAll(async () => {
  await scenario?.stop();
});

/**
 * Waits for the trace of `traceId` whose interceptor CLIENT span (the downstream's parent) leads up
 * to the interceptor's SERVER span, and checks both ends: the CLIENT span of the partner route,
 * and the SERVER span as the caller's child. Returns the spans between them (in n8n) too.
 */
async function interceptedTrace(traceId: string, callerSpanId: string, downstreamParentId: string) {
  const trace = await waitForTrace(scenario.receiver, traceId, (spans) => {
    const client = spans.find((span) => span.spanId === downstreamParentId);
    const reachesServer = client !== undefined && ancestors(client, spans).some((span) => span.kind === SERVER && serviceOf(span) === INTERCEPTOR_SERVICE_NAME);
    return reachesServer && danglingParents(spans).every((id) => id === callerSpanId);
  }, 60_000);
  const tree = describeTrace(trace);
  const client = trace.find((span) => span.spanId === downstreamParentId)!;
  expect({ kind: client.kind, service: serviceOf(client), route: client.attributes['threadline.route'], tree }).toMatchObject({ kind: CLIENT, service: INTERCEPTOR_SERVICE_NAME, route: 'partner' });
  const chain = ancestors(client, trace);
  const server = chain[chain.length - 1]!;
  expect({ kind: server.kind, service: serviceOf(server), parent: server.parentSpanId, tree }).toMatchObject({ kind: SERVER, service: INTERCEPTOR_SERVICE_NAME, parent: callerSpanId });
  return { trace, tree, server, inN8n: chain.slice(0, -1) };
}

test('a webhook call through the interceptor is one trace from the caller to the downstream API, with only the allowed baggage', async () => {
  const { receiver } = scenario;
  // The downstream API: one call, in trace T, with the order the workflow built; user.email never
  // passed the interceptor, order.channel was accepted but the credential forwards tenant.id only.
  const downstreamParent = await callWebhook(scenario, {
    url: scenario.webhookUrls.tracedWebhook,
    traceId: CALLER_TRACE,
    callerSpanId: CALLER_SPAN,
    tracestate: 'caller=t61rcWkgMzE',
    payload: { orderId: 'A-1001', amount: 42 },
    answer: { orderId: 'A-1001' },
    downstreamPath: '/orders',
  });

  // The trace at the receiver: the downstream's parent is the interceptor's CLIENT span, and its
  // ancestors lead through Threadline's spans in n8n to the interceptor's SERVER span.
  const { trace, tree, server, inN8n } = await interceptedTrace(CALLER_TRACE, CALLER_SPAN, downstreamParent.parentId);
  // Between them, in n8n: the sample's Continue Trace span and the CLIENT span of its traced call.
  expect({ path: inN8n.map((span) => `${serviceOf(span)} kind ${span.kind}`), tree }).toEqual({ path: [`${N8N_SERVICE_NAME} kind ${CLIENT}`, `${N8N_SERVICE_NAME} kind ${INTERNAL}`], tree });
  expect(inN8n[0]!.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.full': `http://127.0.0.1:${scenario.interceptor.address.port}/partner/orders`, 'http.response.status_code': 200 });

  // Every span of the trace hangs on it (only the caller's span is outside), and n8n sent no span
  // in any other trace.
  expect({ dangling: danglingParents(trace), tree }).toEqual({ dangling: [CALLER_SPAN], tree });
  const elsewhere = (await receiver.spans()).filter((span) => span.traceId !== CALLER_TRACE && serviceOf(span) === N8N_SERVICE_NAME);
  expect(elsewhere.map((span) => `${span.name} ${span.traceId}`)).toEqual([]);
  for (const span of trace.filter((each) => serviceOf(each) === N8N_SERVICE_NAME)) {
    expect({ span: span.name, reachesServer: ancestors(span, trace).includes(server) }).toEqual({ span: span.name, reachesServer: true });
  }

  // Continue Trace wrote the trace id into the execution's custom data: the execution is found by it.
  const customData = await waitForExecutionOfTrace(scenario.n8n, CALLER_TRACE);
  const continueSpan = inN8n[1]!;
  expect(customData).toEqual({
    threadline_traceId: CALLER_TRACE,
    threadline_traceparent: `00-${CALLER_TRACE}-${continueSpan.spanId}-01`,
    threadline_tracestate: 'caller=t61rcWkgMzE',
    threadline_baggage: 'tenant.id=acme,order.channel=web',
  });
});

test('Outbound Headers → the core HTTP Request node → End Span: one trace with a Threadline CLIENT span for the call, only the allowed baggage', async () => {
  const { receiver } = scenario;
  // The core HTTP Request node sent the headers Outbound Headers put on the item.
  const downstreamParent = await callWebhook(scenario, {
    url: scenario.webhookUrls.coreHttpRequest,
    traceId: CORE_TRACE,
    callerSpanId: CORE_CALLER_SPAN,
    tracestate: 'caller=core',
    payload: { shipmentId: 'S-77', weight: 3 },
    answer: { shipmentId: 'S-77' },
    downstreamPath: '/shipments',
  });

  // caller → interceptor SERVER → Continue Trace → Threadline CLIENT (Outbound Headers, ended by
  // End Span with the status code) → interceptor CLIENT → downstream.
  const { trace, tree, inN8n } = await interceptedTrace(CORE_TRACE, CORE_CALLER_SPAN, downstreamParent.parentId);
  expect({ path: inN8n.map((span) => `${serviceOf(span)} kind ${span.kind}`), tree }).toEqual({ path: [`${N8N_SERVICE_NAME} kind ${CLIENT}`, `${N8N_SERVICE_NAME} kind ${INTERNAL}`], tree });
  expect(inN8n[0]!.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.full': `http://127.0.0.1:${scenario.interceptor.address.port}/partner/shipments`, 'http.response.status_code': 200 });

  expect({ dangling: danglingParents(trace), tree }).toEqual({ dangling: [CORE_CALLER_SPAN], tree });
  const elsewhere = (await receiver.spans()).filter((span) => ![CALLER_TRACE, CORE_TRACE].includes(span.traceId) && serviceOf(span) === N8N_SERVICE_NAME);
  expect(elsewhere.map((span) => `${span.name} ${span.traceId}`)).toEqual([]);
});
