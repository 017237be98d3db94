import { FakeExecuteFunctions } from './support/fake-execute-functions';
import { CALLER_TRACE_ID, exportedSpans, runNode } from './support/run-node';
import { CONTINUE_SPAN_ID, ITEM_TRACEPARENT, traceOf, tracedItem } from './support/traced-item';

const outboundParams = (url: string) => ({ operation: 'outboundHeaders', method: 'POST', url, headersOutputField: 'traceHeaders' });

describe('Outbound Headers', () => {
  it('puts headers for the HTTP Request node on the item, with a client span for the call ended by End Span', async () => {
    const fake = new FakeExecuteFunctions({ items: [tracedItem({}, { tracestate: 'ot=th:0' })], parameters: outboundParams('http://inventory.internal/api/items?id=1') });
    const [out] = await runNode(fake);
    const trace = traceOf(out);
    expect(trace.open).toHaveLength(1);
    const client = trace.open[0];
    expect(client).toMatchObject({ kind: 'client', name: 'POST', parentSpanId: CONTINUE_SPAN_ID });
    expect(out.json.traceHeaders).toEqual({ traceparent: `00-${CALLER_TRACE_ID}-${String(client.spanId)}-01`, tracestate: 'ot=th:0', baggage: 'tenant=acme' });
    expect(exportedSpans(fake)).toHaveLength(0);

    // The HTTP Request node replaces the json; End Span finds the open span through the lineage.
    const endFake = new FakeExecuteFunctions({
      items: [{ json: { status: 'reserved' } }],
      parameters: { operation: 'endSpan', spanToEnd: 'innermost', status: 'unset', httpStatusCode: 201, attributes: {} },
      ancestors: [
        { name: 'HTTP Request', type: 'n8n-nodes-base.httpRequest', depth: 1, pairedJson: { 0: { status: 'reserved' } } },
        { name: 'Threadline Outbound', type: 'CUSTOM.threadline', depth: 2, pairedJson: { 0: out.json } },
      ],
    });
    const [ended] = await runNode(endFake);
    const [span] = exportedSpans(endFake);
    expect(span).toMatchObject({ spanId: client.spanId, kind: 3, name: 'POST', status: { code: 0 } });
    expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'server.address': 'inventory.internal', 'http.response.status_code': 201 });
    expect(traceOf(ended).traceparent).toBe(ITEM_TRACEPARENT);
    expect(ended.json.status).toBe('reserved');
  });

  it('strips baggage toward an external host', async () => {
    const [out] = await runNode(new FakeExecuteFunctions({ items: [tracedItem()], parameters: outboundParams('https://api.partner.example/v1') }));
    expect(out.json.traceHeaders).not.toHaveProperty('baggage');
  });

  it("opens no client span when n8n traces the workflow (n8n's HTTP Request node injects its own span)", async () => {
    const [out] = await runNode(new FakeExecuteFunctions({ items: [tracedItem({}, { n8nTracing: true })], parameters: outboundParams('http://localhost:8080/x') }));
    expect(traceOf(out).open).toEqual([]);
    expect(out.json.traceHeaders).toEqual({ traceparent: ITEM_TRACEPARENT, baggage: 'tenant=acme' });
  });

  it('rejects a URL that is not absolute http(s)', async () => {
    await expect(runNode(new FakeExecuteFunctions({ items: [tracedItem()], parameters: outboundParams('/relative') }))).rejects.toMatchObject({
      message: 'URL "/relative" is not an absolute URL',
      context: { itemIndex: 0 },
    });
  });
});
