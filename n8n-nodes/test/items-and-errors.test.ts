import { FakeExecuteFunctions, TEST_CREDENTIALS } from './support/fake-execute-functions';
import { CALLER_TRACE_ID, CALLER_TRACEPARENT, exportedSpans, runNode } from './support/run-node';
import { ITEM_TRACEPARENT, traceOf, tracedItem, tracedJson } from './support/traced-item';

const startSpan = { operation: 'startSpan', spanName: 'step', spanKind: 'internal', attributes: {} };

describe('finding the trace of an item', () => {
  it('through the paired-item lineage when a node in between replaced the json (nearest Threadline node first)', async () => {
    const fake = new FakeExecuteFunctions({
      items: [{ json: { fromCode: true } }],
      parameters: startSpan,
      ancestors: [
        { name: 'Code', type: 'n8n-nodes-base.code', depth: 1, pairedJson: { 0: { fromCode: true } } },
        { name: 'Threadline Continue', type: 'CUSTOM.threadline', depth: 2, pairedJson: { 0: tracedJson() } },
        { name: 'Webhook', type: 'n8n-nodes-base.webhook', depth: 3, pairedJson: { 0: { headers: {} } } },
      ],
    });
    const [out] = await runNode(fake);
    expect(traceOf(out).traceId).toBe(CALLER_TRACE_ID);
    expect(traceOf(out).open[0].parentSpanId).toBe(ITEM_TRACEPARENT.split('-')[2]);
    expect(out.json.fromCode).toBe(true);
  });

  it("falls back to the execution's trace (custom data) when the lineage is broken", async () => {
    const fake = new FakeExecuteFunctions({
      items: [{ json: { merged: true } }],
      parameters: startSpan,
      ancestors: [{ name: 'Merge', type: 'n8n-nodes-base.merge', depth: 1 }],
      customData: { threadline_traceId: CALLER_TRACE_ID, threadline_traceparent: CALLER_TRACEPARENT, threadline_baggage: 'tenant=acme' },
    });
    const [out] = await runNode(fake);
    expect(traceOf(out)).toMatchObject({ traceId: CALLER_TRACE_ID, baggage: 'tenant=acme' });
    expect(fake.logs.some((log) => log.level === 'debug' && log.message.includes('no paired item of "Merge"'))).toBe(true);
  });

  it('fails with the item index when no trace can be found anywhere', async () => {
    const fake = new FakeExecuteFunctions({ items: [{ json: {} }], parameters: startSpan, customData: null });
    await expect(runNode(fake)).rejects.toMatchObject({ name: 'NodeOperationError', message: 'Item 0 carries no trace', context: { itemIndex: 0 } });
  });
});

describe('items, errors and Continue On Fail', () => {
  it('gives every output item a pairedItem and keeps binary data', async () => {
    const binary = { data: { data: 'aGk=', mimeType: 'text/plain' } };
    const fake = new FakeExecuteFunctions({ items: [tracedItem(), { ...tracedItem(), binary }], parameters: startSpan });
    const out = await runNode(fake);
    expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    expect(out[1].binary).toBe(binary);
  });

  it('with Continue On Fail, puts the error on the failed item and goes on with the others', async () => {
    const fake = new FakeExecuteFunctions({
      items: [tracedItem(), { json: { nothing: true } }, tracedItem()],
      parameters: startSpan,
      continueOnFail: true,
      customData: null,
    });
    const out = await runNode(fake);
    expect(out).toHaveLength(3);
    expect(out[1]).toEqual({ json: { nothing: true, error: 'Item 1 carries no trace' }, pairedItem: { item: 1 } });
    expect(traceOf(out[0]).open).toHaveLength(1);
    expect(traceOf(out[2]).open).toHaveLength(1);
  });

  it('without it, stops at the failed item with its index, after sending the spans of the items before', async () => {
    let apiCalls = 0;
    const fake = new FakeExecuteFunctions({
      items: [tracedItem(), tracedItem(), tracedItem()],
      parameters: { operation: 'httpRequest', method: 'GET', url: 'http://127.0.0.1:9/x', requestHeaders: {}, requestOptions: {} },
      // The second item's call fails.
      http: (request) => (request.options.url === 'http://127.0.0.1:9/x' && ++apiCalls === 2 ? { statusCode: 500 } : { statusCode: 200 }),
    });
    await expect(runNode(fake)).rejects.toMatchObject({ context: { itemIndex: 1 } });
    expect(exportedSpans(fake)).toHaveLength(2);
  });

  it('names the credential field that is wrong', async () => {
    const fake = new FakeExecuteFunctions({ items: [tracedItem()], parameters: startSpan, credentials: { ...TEST_CREDENTIALS, endpoint: 'collector/v1/traces' } });
    await expect(runNode(fake)).rejects.toThrow('Threadline Collector credential, OTLP Traces Endpoint: "collector/v1/traces" is not an absolute URL');
    const noHttp = new FakeExecuteFunctions({ items: [tracedItem()], parameters: startSpan, credentials: { ...TEST_CREDENTIALS, endpoint: 'collector:4318' } });
    await expect(runNode(noHttp)).rejects.toThrow('OTLP Traces Endpoint: "collector:4318" must use http: or https:');
    const badRatio = new FakeExecuteFunctions({ items: [tracedItem()], parameters: startSpan, credentials: { ...TEST_CREDENTIALS, samplingRatio: 2 } });
    await expect(runNode(badRatio)).rejects.toThrow('Sampling Ratio for New Traces: 2 is not a number from 0 to 1');
    const badCidr = new FakeExecuteFunctions({ items: [tracedItem()], parameters: startSpan, credentials: { ...TEST_CREDENTIALS, internalHosts: '10.0.0.0/99' } });
    await expect(runNode(badCidr)).rejects.toThrow(/Threadline Collector credential, baggage rules: .*not a valid IPv4 CIDR block/);
  });
});

describe('sending spans', () => {
  const endSpan = { operation: 'endSpan', spanToEnd: 'innermost', status: 'unset', httpStatusCode: 0, attributes: {} };

  async function openItem() {
    const [item] = await runNode(new FakeExecuteFunctions({ items: [tracedItem()], parameters: startSpan }));
    return item;
  }

  it('sends all spans of a run in one request, with the token and extra headers of the credential', async () => {
    const opened = await openItem();
    const fake = new FakeExecuteFunctions({
      items: [opened, opened],
      parameters: endSpan,
      credentials: { ...TEST_CREDENTIALS, token: 't0k3n', headers: 'x-tenant=acme,x-api%2Dkey=k%3D1' },
    });
    await runNode(fake);
    const [request] = fake.exportRequests();
    expect(fake.exportRequests()).toHaveLength(1);
    expect(request.headers).toMatchObject({ authorization: 'Bearer t0k3n', 'x-tenant': 'acme', 'x-api-key': 'k=1', 'content-type': 'application/json' });
    expect(request.options).toMatchObject({ method: 'POST', url: 'http://127.0.0.1:4318/v1/traces' });
    expect(exportedSpans(fake)).toHaveLength(2);
  });

  it('encodes protobuf when the credential says http/protobuf', async () => {
    const opened = await openItem();
    const fake = new FakeExecuteFunctions({ items: [opened], parameters: endSpan, credentials: { ...TEST_CREDENTIALS, protocol: 'http/protobuf' } });
    await runNode(fake);
    expect(fake.exportRequests()[0].headers['content-type']).toBe('application/x-protobuf');
    expect(exportedSpans(fake)[0].name).toBe('step');
  });

  it('retries a 503 once, then reports lost spans as a warning hint without failing the workflow', async () => {
    const opened = await openItem();
    const fake = new FakeExecuteFunctions({ items: [opened], parameters: endSpan, http: () => ({ statusCode: 503 }) });
    const out = await runNode(fake);
    expect(out).toHaveLength(1);
    expect(fake.exportRequests()).toHaveLength(2);
    expect(fake.hints).toEqual([
      { message: 'Threadline could not send 1 span(s) to http://127.0.0.1:4318/v1/traces: the collector answered HTTP 503', type: 'warning', location: 'outputPane' },
    ]);
    expect(fake.logs.some((log) => log.level === 'warn')).toBe(true);
  });

  it('does not retry a 400', async () => {
    const opened = await openItem();
    const fake = new FakeExecuteFunctions({ items: [opened], parameters: endSpan, http: () => ({ statusCode: 400 }) });
    await runNode(fake);
    expect(fake.exportRequests()).toHaveLength(1);
    expect(fake.hints).toHaveLength(1);
  });

  it('sends nothing for a trace that is not sampled', async () => {
    const unsampled = tracedItem({}, { traceparent: `00-${CALLER_TRACE_ID}-1111111111111111-00`, base: { traceparent: `00-${CALLER_TRACE_ID}-1111111111111111-00` } });
    const [opened] = await runNode(new FakeExecuteFunctions({ items: [unsampled], parameters: startSpan }));
    const fake = new FakeExecuteFunctions({ items: [opened], parameters: endSpan });
    await runNode(fake);
    expect(fake.exportRequests()).toHaveLength(0);
    expect(traceOf(opened).traceparent).toMatch(/-00$/);
  });
});
