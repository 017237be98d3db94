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

  it("opens the client span when n8n traces the workflow too, so End Span after n8n's HTTP Request node has a span to end", async () => {
    const fake = new FakeExecuteFunctions({ items: [tracedItem({}, { n8nTracing: true })], parameters: outboundParams('http://localhost:8080/x') });
    const [out] = await runNode(fake);
    const trace = traceOf(out);
    expect(trace.open).toHaveLength(1);
    const client = trace.open[0];
    expect(client).toMatchObject({ kind: 'client', name: 'POST', parentSpanId: CONTINUE_SPAN_ID });
    expect(trace.n8nTracing).toBe(true);
    // n8n's helper replaces traceparent on the wire with its node span; tracestate and baggage stay.
    expect(out.json.traceHeaders).toEqual({ traceparent: `00-${CALLER_TRACE_ID}-${String(client.spanId)}-01`, baggage: 'tenant=acme' });

    const endFake = new FakeExecuteFunctions({
      items: [{ json: { statusCode: 200, body: {} } }],
      parameters: { operation: 'endSpan', spanToEnd: 'innermost', status: 'unset', httpStatusCode: 200, attributes: {} },
      ancestors: [
        { name: 'HTTP Request', type: 'n8n-nodes-base.httpRequest', depth: 1, pairedJson: { 0: { statusCode: 200, body: {} } } },
        { name: 'Threadline Outbound', type: 'CUSTOM.threadline', depth: 2, pairedJson: { 0: out.json } },
      ],
    });
    const [ended] = await runNode(endFake);
    expect(exportedSpans(endFake)).toEqual([expect.objectContaining({ spanId: client.spanId, parentSpanId: CONTINUE_SPAN_ID, kind: 3 })]);
    expect(traceOf(ended)).toMatchObject({ traceparent: ITEM_TRACEPARENT, open: [], n8nTracing: true });
  });

  it('nests inside a span opened by Start Span: End Span ends the client span first, then the outer one', async () => {
    const [started] = await runNode(
      new FakeExecuteFunctions({ items: [tracedItem({}, { n8nTracing: true })], parameters: { operation: 'startSpan', spanName: 'reserve', spanKind: 'internal', attributes: {} } }),
    );
    const [out] = await runNode(new FakeExecuteFunctions({ items: [started], parameters: outboundParams('http://localhost:8080/x') }));
    const [outer, client] = traceOf(out).open;
    expect(client).toMatchObject({ kind: 'client', parentSpanId: outer.spanId });
    const endFake = new FakeExecuteFunctions({ items: [out], parameters: { operation: 'endSpan', spanToEnd: 'innermost', status: 'unset', httpStatusCode: 0, attributes: {} } });
    const [ended] = await runNode(endFake);
    expect(exportedSpans(endFake).map((span) => span.spanId)).toEqual([client.spanId]);
    expect(traceOf(ended).open.map((record) => record.spanId)).toEqual([outer.spanId]);
  });

  it('rejects a URL that is not absolute http(s)', async () => {
    await expect(runNode(new FakeExecuteFunctions({ items: [tracedItem()], parameters: outboundParams('/relative') }))).rejects.toMatchObject({
      message: 'URL "/relative" is not an absolute URL',
      context: { itemIndex: 0 },
    });
  });
});
