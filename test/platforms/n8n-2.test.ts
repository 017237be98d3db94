// ISSUE 6, ACCEPTANCE 3: the same end-to-end setting as n8n-1.test.ts (both samples) on a real
// n8n 2.x (on a Node 24 binary from the registry) with n8n's built-in tracing on, exporting to the
// same OTLP receiver process. n8n makes `workflow.execute` / `node.execute` spans under the webhook's inbound
// traceparent and injects its node span into outbound calls; the Threadline node must join that
// trace rather than start a second one. Expected at the receiver: ONE trace T holding the
// interceptor's SERVER and CLIENT spans, n8n's own spans and Threadline's spans.
import { ensureN8n2 } from '../support/n8n-install';
import { INTERCEPTOR_SERVICE_NAME, N8N_SERVICE_NAME, callWebhook, startN8nScenario, waitForExecutionOfTrace, waitForTrace } from '../support/n8n-scenario';
import type { N8nScenario } from '../support/n8n-scenario';
import { ancestors, danglingParents, describeTrace, serviceOf } from '../support/trace-tree';

// A cold install (Node 24 binary, about 2,400 packages, native sqlite3 and isolated-vm builds)
// takes several minutes on a loaded 2-core machine; a warm cache makes this a few seconds.
const INSTALL_AND_START_MS = 45 * 60_000;
jest.setTimeout(180_000);

const CALLER_TRACE = '5d1b1e6f3c2a4b8e9f0a1b2c3d4e5f60';
const CALLER_SPAN = '7a1c9e3b5d2f4a60';
/** The caller's trace of the core HTTP Request sample. */
const CORE_TRACE = '9f0a1b2c3d4e5f605d1b1e6f3c2a4b8e';
const CORE_CALLER_SPAN = '4a605d2f3b1c9e7a';
const INTERNAL = 1;
const SERVER = 2;
const CLIENT = 3;
/** service.name of n8n's own spans (N8N_OTEL_EXPORTER_SERVICE_NAME). */
const N8N_PLATFORM_SERVICE = 'n8n-platform';

let scenario: N8nScenario;

beforeAll(async () => {
  scenario = await startN8nScenario({
    install: await ensureN8n2(),
    n8nEnv: (receiverUrl) => ({
      N8N_OTEL_ENABLED: 'true',
      N8N_OTEL_EXPORTER_OTLP_ENDPOINT: new URL(receiverUrl).origin,
      N8N_OTEL_EXPORTER_OTLP_TRACING_PATH: new URL(receiverUrl).pathname,
      N8N_OTEL_EXPORTER_SERVICE_NAME: N8N_PLATFORM_SERVICE,
      N8N_OTEL_TRACES_INCLUDE_NODE_SPANS: 'true',
    }),
  });
}, INSTALL_AND_START_MS);

afterAll(async () => {
  await scenario?.stop();
});

test('with n8n tracing on, the webhook call is ONE trace: interceptor, n8n’s workflow and node spans and Threadline’s spans', async () => {
  const { receiver } = scenario;
  // n8n 2.x does not carry baggage: what arrives is what the Threadline node put on the item.
  const downstreamParent = await callWebhook(scenario, {
    url: scenario.webhookUrls.tracedWebhook,
    traceId: CALLER_TRACE,
    callerSpanId: CALLER_SPAN,
    payload: { orderId: 'B-2002', amount: 7 },
    answer: { orderId: 'B-2002' },
    downstreamPath: '/orders',
  });

  // n8n exports in batches: wait until its workflow span, Threadline's spans and the interceptor's
  // CLIENT span are all in, with every parent received.
  const trace = await waitForTrace(receiver, CALLER_TRACE, (spans) => {
    const client = spans.find((span) => span.spanId === downstreamParent.parentId);
    return (
      client !== undefined &&
      ancestors(client, spans).some((span) => span.kind === SERVER) &&
      spans.some((span) => span.name === 'workflow.execute') &&
      spans.some((span) => serviceOf(span) === N8N_SERVICE_NAME) &&
      danglingParents(spans).every((id) => id === CALLER_SPAN)
    );
  }, 90_000);
  const tree = describeTrace(trace);

  // The interceptor's SERVER span is the child of the caller's; n8n's workflow span hangs under it.
  const server = trace.find((span) => span.kind === SERVER && serviceOf(span) === INTERCEPTOR_SERVICE_NAME);
  expect({ parent: server?.parentSpanId, tree }).toEqual({ parent: CALLER_SPAN, tree });
  const workflow = trace.filter((span) => span.name === 'workflow.execute');
  expect({ count: workflow.length, service: serviceOf(workflow[0]!), parent: workflow[0]!.parentSpanId, tree }).toEqual({ count: 1, service: N8N_PLATFORM_SERVICE, parent: server!.spanId, tree });
  const nodeSpans = trace.filter((span) => span.name === 'node.execute');
  expect({ nodeSpans: nodeSpans.length > 0, tree }).toEqual({ nodeSpans: true, tree });

  // Threadline's spans joined n8n's trace: each has n8n's workflow span among its ancestors.
  const threadline = trace.filter((span) => serviceOf(span) === N8N_SERVICE_NAME);
  expect({ threadlineSpans: threadline.length > 0, tree }).toEqual({ threadlineSpans: true, tree });
  for (const span of threadline) {
    expect({ span: span.name, underWorkflow: ancestors(span, trace).includes(workflow[0]!), tree }).toEqual({ span: span.name, underWorkflow: true, tree });
  }

  // The outbound call: interceptor CLIENT span, parented inside n8n, reaching the SERVER span.
  const client = trace.find((span) => span.spanId === downstreamParent.parentId)!;
  expect({ kind: client.kind, service: serviceOf(client), tree }).toEqual({ kind: CLIENT, service: INTERCEPTOR_SERVICE_NAME, tree });
  expect({ underWorkflow: ancestors(client, trace).includes(workflow[0]!), tree }).toEqual({ underWorkflow: true, tree });
  // n8n's injected traceparent stood (the callee's parent is n8n's node span), and Threadline's
  // CLIENT span for the same call hangs on that node span too instead of fighting it.
  const callNode = trace.find((span) => span.spanId === client.parentSpanId);
  expect({ parent: callNode?.name, service: callNode && serviceOf(callNode), tree }).toEqual({ parent: 'node.execute', service: N8N_PLATFORM_SERVICE, tree });
  const threadlineClient = threadline.filter((span) => span.kind === CLIENT);
  expect({ parents: threadlineClient.map((span) => span.parentSpanId), tree }).toEqual({ parents: [callNode!.spanId], tree });
  expect(workflow[0]!.attributes['n8n.workflow.id']).toBe('ThreadlineOrders');

  // One trace, not two: nothing from n8n or Threadline elsewhere, nothing left dangling.
  expect({ dangling: danglingParents(trace), tree }).toEqual({ dangling: [CALLER_SPAN], tree });
  const elsewhere = (await receiver.spans()).filter((span) => span.traceId !== CALLER_TRACE && [N8N_SERVICE_NAME, N8N_PLATFORM_SERVICE].includes(serviceOf(span)));
  expect(elsewhere.map((span) => `${serviceOf(span)} ${span.name} ${span.traceId}`)).toEqual([]);

  // Continue Trace wrote the trace id into the execution's custom data: the execution is found by it.
  const continueSpan = threadline.find((span) => span.kind === INTERNAL)!;
  const customData = await waitForExecutionOfTrace(scenario.n8n, CALLER_TRACE);
  expect(customData).toMatchObject({ threadline_traceId: CALLER_TRACE, threadline_traceparent: `00-${CALLER_TRACE}-${continueSpan.spanId}-01` });
});

test('Outbound Headers → the core HTTP Request node → End Span with n8n tracing on: 200, one trace, the Threadline CLIENT span ended, n8n’s injection left standing', async () => {
  const { receiver } = scenario;
  // Baggage comes from the headers Outbound Headers put on the item, within the rules.
  const downstreamParent = await callWebhook(scenario, {
    url: scenario.webhookUrls.coreHttpRequest,
    traceId: CORE_TRACE,
    callerSpanId: CORE_CALLER_SPAN,
    payload: { shipmentId: 'S-88', weight: 5 },
    answer: { shipmentId: 'S-88' },
    downstreamPath: '/shipments',
  });

  const trace = await waitForTrace(receiver, CORE_TRACE, (spans) => {
    const client = spans.find((span) => span.spanId === downstreamParent.parentId);
    return (
      client !== undefined &&
      ancestors(client, spans).some((span) => span.kind === SERVER) &&
      spans.some((span) => span.name === 'workflow.execute') &&
      spans.some((span) => serviceOf(span) === N8N_SERVICE_NAME && span.kind === CLIENT) &&
      danglingParents(spans).every((id) => id === CORE_CALLER_SPAN)
    );
  }, 90_000);
  const tree = describeTrace(trace);

  const server = trace.find((span) => span.kind === SERVER && serviceOf(span) === INTERCEPTOR_SERVICE_NAME);
  expect({ parent: server?.parentSpanId, tree }).toEqual({ parent: CORE_CALLER_SPAN, tree });
  const workflow = trace.filter((span) => span.name === 'workflow.execute');
  expect({ count: workflow.length, parent: workflow[0]!.parentSpanId, id: workflow[0]!.attributes['n8n.workflow.id'], tree }).toEqual({ count: 1, parent: server!.spanId, id: 'ThreadlineShipments', tree });

  // n8n's injected traceparent stood: the interceptor's CLIENT span hangs on n8n's span for the
  // core HTTP Request node.
  const client = trace.find((span) => span.spanId === downstreamParent.parentId)!;
  expect({ kind: client.kind, service: serviceOf(client), tree }).toEqual({ kind: CLIENT, service: INTERCEPTOR_SERVICE_NAME, tree });
  const callNode = trace.find((span) => span.spanId === client.parentSpanId);
  expect({ parent: callNode?.name, node: callNode?.attributes['n8n.node.name'], tree }).toEqual({ parent: 'node.execute', node: 'Call Partner API', tree });

  // Threadline's spans: Continue Trace, and the CLIENT span Outbound Headers opened and End Span
  // ended with the HTTP Request node's status code, its child, all under n8n's workflow span.
  const threadline = trace.filter((span) => serviceOf(span) === N8N_SERVICE_NAME);
  const continueSpans = threadline.filter((span) => span.kind === INTERNAL);
  const threadlineClients = threadline.filter((span) => span.kind === CLIENT);
  expect({ continueSpans: continueSpans.length, clients: threadlineClients.length, tree }).toEqual({ continueSpans: 1, clients: 1, tree });
  expect({ parent: threadlineClients[0]!.parentSpanId, tree }).toEqual({ parent: continueSpans[0]!.spanId, tree });
  expect(threadlineClients[0]!.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.full': `http://127.0.0.1:${scenario.interceptor.address.port}/partner/shipments`, 'http.response.status_code': 200 });
  for (const span of threadline) {
    expect({ span: span.name, underWorkflow: ancestors(span, trace).includes(workflow[0]!), tree }).toEqual({ span: span.name, underWorkflow: true, tree });
  }

  expect({ dangling: danglingParents(trace), tree }).toEqual({ dangling: [CORE_CALLER_SPAN], tree });
  const elsewhere = (await receiver.spans()).filter((span) => ![CALLER_TRACE, CORE_TRACE].includes(span.traceId) && [N8N_SERVICE_NAME, N8N_PLATFORM_SERVICE].includes(serviceOf(span)));
  expect(elsewhere.map((span) => `${serviceOf(span)} ${span.name} ${span.traceId}`)).toEqual([]);
});
