// The spans the node sends, as a real OTLP receiver process decodes them: the fake's HTTP helper
// forwards the node's requests over the network, like n8n's helper would.
import * as http from 'node:http';
import type { Receiver } from '../../test/support/otlp-receiver-client';
import { startReceiver } from '../../test/support/otlp-receiver-client';
import { FakeExecuteFunctions, TEST_CREDENTIALS } from './support/fake-execute-functions';
import type { FakeResponse, HttpHandler } from './support/fake-execute-functions';
import { CALLER_SPAN_ID, CALLER_TRACE_ID, CALLER_TRACEPARENT, runNode, webhookItem } from './support/run-node';

function overTheNetwork(request: Parameters<HttpHandler>[0]): Promise<FakeResponse> {
  return new Promise((resolve, reject) => {
    const body = request.options.body as Buffer;
    const outgoing = http.request(String(request.options.url), { method: request.options.method, headers: { ...request.headers, 'content-length': String(body.length) } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0 }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('spans at a real OTLP receiver', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it.each(['http/protobuf', 'http/json'])('Continue Trace → Start Span → End Span arrive as one trace (%s)', async (protocol) => {
    await receiver.clear();
    const credentials = { ...TEST_CREDENTIALS, endpoint: receiver.url, protocol, token: 'tkn' };
    const steps: Array<Record<string, unknown>> = [
      { operation: 'continueTrace', contextSource: 'headers', headersField: 'headers', spanName: '', joinN8nTracing: true },
      { operation: 'startSpan', spanName: 'reserve stock', spanKind: 'internal', attributes: { attribute: [{ key: 'order.channel', value: 'web' }] } },
      { operation: 'endSpan', spanToEnd: 'innermost', status: 'ok', httpStatusCode: 0, attributes: {} },
    ];
    let items = [webhookItem({ traceparent: CALLER_TRACEPARENT, baggage: 'tenant=acme' })];
    for (const parameters of steps) {
      items = await runNode(new FakeExecuteFunctions({ items, parameters, credentials, http: overTheNetwork }));
    }

    const spans = await receiver.waitForSpans(2);
    const continued = spans.find((span) => span.name === 'n8n Orders')!;
    const reserved = spans.find((span) => span.name === 'reserve stock')!;
    expect(continued).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: CALLER_SPAN_ID, kind: 1 });
    expect(reserved).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: continued.spanId, status: { code: 1 } });
    expect(reserved.attributes['order.channel']).toBe('web');
    expect(reserved.resource['service.name']).toBe('n8n-test');
    const requests = await receiver.requests();
    expect(requests.every((request) => request.status === 200)).toBe(true);
    expect(requests.filter((request) => request.spanCount > 0).every((request) => request.headers.authorization === 'Bearer tkn')).toBe(true);
  });
});
