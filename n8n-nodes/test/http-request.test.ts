import { FakeExecuteFunctions } from './support/fake-execute-functions';
import type { HttpHandler } from './support/fake-execute-functions';
import { CALLER_TRACE_ID, exportedSpans, runNode } from './support/run-node';
import { CONTINUE_SPAN_ID, traceOf, tracedItem } from './support/traced-item';

const API = 'http://127.0.0.1:9999/api/orders/7?sig=abc';

function params(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    operation: 'httpRequest',
    method: 'POST',
    url: API,
    requestHeaders: { header: [{ name: 'x-request-id', value: 'r-1' }, { name: 'traceparent', value: 'ignored' }] },
    body: '{"qty":2}',
    requestOptions: {},
    ...extra,
  };
}

function answering(statusCode: number, body: unknown = { ok: statusCode < 400 }): HttpHandler {
  return (request) => (request.options.url === API ? { statusCode, body, headers: { 'content-type': 'application/json' } } : { statusCode: 200 });
}

describe('HTTP Request (traced)', () => {
  it('calls the API with the trace headers and records a CLIENT span with the semantic conventions', async () => {
    const fake = new FakeExecuteFunctions({ items: [tracedItem()], parameters: params(), http: answering(201) });
    const [out] = await runNode(fake);
    const call = fake.requests.find((request) => request.options.url === API)!;
    expect(call.helper).toBe('httpRequest');
    expect(call.options.body).toEqual({ qty: 2 });
    expect(call.headers['x-request-id']).toBe('r-1');
    expect(call.headers.baggage).toBe('tenant=acme');

    const [span] = exportedSpans(fake);
    expect(call.headers.traceparent).toBe(`00-${CALLER_TRACE_ID}-${span.spanId}-01`);
    expect(span).toMatchObject({ kind: 3, name: 'POST', parentSpanId: CONTINUE_SPAN_ID, status: { code: 0 } });
    expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'server.address': '127.0.0.1', 'server.port': 9999, 'http.response.status_code': 201 });
    expect(String(span.attributes['url.full'])).toContain('sig=REDACTED');
    expect(out.json.response).toEqual({ statusCode: 201, headers: { 'content-type': 'application/json' }, body: { ok: true } });
    expect(traceOf(out).open).toEqual([]);
    expect(out.pairedItem).toEqual({ item: 0 });
  });

  it('turns a 5xx into a NodeApiError with the item index; the span is an error and is still sent', async () => {
    const fake = new FakeExecuteFunctions({ items: [tracedItem()], parameters: params(), http: answering(503) });
    await expect(runNode(fake)).rejects.toMatchObject({ name: 'NodeApiError', httpCode: '503', context: { itemIndex: 0 } });
    const [span] = exportedSpans(fake);
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('503');
  });

  it('succeeds on 4xx with Never Error, recording the span as an error', async () => {
    const fake = new FakeExecuteFunctions({ items: [tracedItem()], parameters: params({ requestOptions: { neverError: true } }), http: answering(404) });
    const [out] = await runNode(fake);
    expect((out.json.response as { statusCode: number }).statusCode).toBe(404);
    expect(exportedSpans(fake)[0].status.code).toBe(2);
  });

  it('records a transport failure as error.type and an exception event', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9999'), { code: 'ECONNREFUSED' });
    const fake = new FakeExecuteFunctions({
      items: [tracedItem()],
      parameters: params(),
      http: (request) => {
        if (request.options.url === API) throw refused;
        return { statusCode: 200 };
      },
    });
    await expect(runNode(fake)).rejects.toMatchObject({
      name: 'NodeApiError',
      description: 'POST http://127.0.0.1:9999/api/orders/7?sig=abc failed: connect ECONNREFUSED 127.0.0.1:9999',
      context: { itemIndex: 0 },
    });
    const [span] = exportedSpans(fake);
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.events.map((event) => event.name)).toContain('exception');
  });

  it("does not fight n8n's injection on 2.19+: the CLIENT span hangs under the span n8n put on the wire", async () => {
    const n8nSpan = `00-${CALLER_TRACE_ID}-aaaaaaaaaaaaaaaa-01`;
    const fake = new FakeExecuteFunctions({ items: [tracedItem({}, { n8nTracing: true })], parameters: params(), http: answering(200), n8nTracing: { traceparent: n8nSpan } });
    await runNode(fake);
    const call = fake.requests.find((request) => request.options.url === API)!;
    expect(call.headers.traceparent).toBe(n8nSpan);
    expect(call.headers.baggage).toBe('tenant=acme');
    const [span] = exportedSpans(fake);
    expect(span).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: 'aaaaaaaaaaaaaaaa' });
    expect(span.attributes['threadline.n8n.traceparent']).toBe(n8nSpan);
  });

  it('gives each call its own client span and parent id', async () => {
    const fake = new FakeExecuteFunctions({ items: [tracedItem(), tracedItem(), tracedItem()], parameters: params(), http: answering(200) });
    await runNode(fake);
    const parents = fake.requests.filter((request) => request.options.url === API).map((request) => request.headers.traceparent);
    expect(new Set(parents).size).toBe(3);
    expect(exportedSpans(fake)).toHaveLength(3);
    expect(fake.exportRequests()).toHaveLength(1);
  });

  it('rejects a body that is not JSON', async () => {
    const fake = new FakeExecuteFunctions({ items: [tracedItem()], parameters: params({ body: '{qty' }) });
    await expect(runNode(fake)).rejects.toMatchObject({ message: 'Body is not valid JSON', context: { itemIndex: 0 } });
  });
});
