import type { IDataObject } from 'n8n-workflow';
import { FakeExecuteFunctions, TEST_CREDENTIALS } from './support/fake-execute-functions';
import { CALLER_SPAN_ID, CALLER_TRACE_ID, CALLER_TRACEPARENT, exportedSpans, runNode, webhookItem } from './support/run-node';

const TRACEPARENT_PATTERN = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[0-3]$/;

function continueParams(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { operation: 'continueTrace', contextSource: 'headers', headersField: 'headers', spanName: '', joinN8nTracing: true, ...extra };
}

function traceOf(json: IDataObject): IDataObject {
  return json.threadline as IDataObject;
}

describe('Continue Trace', () => {
  it("continues the caller's trace from the Webhook headers and sends one span before returning", async () => {
    const fake = new FakeExecuteFunctions({
      items: [webhookItem({ traceparent: CALLER_TRACEPARENT, tracestate: 'vendor=x', baggage: 'tenant=acme' })],
      parameters: continueParams(),
    });
    const [out] = await runNode(fake);

    const trace = traceOf(out.json);
    const [, traceId, spanId] = TRACEPARENT_PATTERN.exec(String(trace.traceparent))!;
    expect(traceId).toBe(CALLER_TRACE_ID);
    expect(trace.traceId).toBe(CALLER_TRACE_ID);
    expect(trace.tracestate).toBe('vendor=x');
    expect(trace.baggage).toBe('tenant=acme');
    expect(out.pairedItem).toEqual({ item: 0 });
    expect(out.json.body).toEqual({ order: 7 });

    const spans = exportedSpans(fake);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ traceId: CALLER_TRACE_ID, spanId, parentSpanId: CALLER_SPAN_ID, name: 'n8n Orders', kind: 1 });
    expect(spans[0].attributes).toMatchObject({
      'n8n.workflow.name': 'Orders',
      'n8n.execution.id': 'exec-42',
      'n8n.node.name': 'Threadline',
      'threadline.context.source': 'item',
    });
    expect(spans[0].resource['service.name']).toBe('n8n-test');
    expect(spans[0].scope).toEqual({ name: 'n8n-nodes-threadline', version: '0.1.0' });
  });

  it('writes the trace id and context into the execution custom data', async () => {
    const fake = new FakeExecuteFunctions({ items: [webhookItem({ traceparent: CALLER_TRACEPARENT })], parameters: continueParams() });
    const [out] = await runNode(fake);
    expect(fake.customData?.get('threadline_traceId')).toBe(CALLER_TRACE_ID);
    expect(fake.customData?.get('threadline_traceparent')).toBe(traceOf(out.json).traceparent);
  });

  it("stores only the first item's trace in the custom data, with its tracestate and baggage", async () => {
    const otherTrace = 'a3ce929d0e0e47364bf92f3577b34da6';
    const fake = new FakeExecuteFunctions({
      items: [
        webhookItem({ traceparent: CALLER_TRACEPARENT, tracestate: 'vendor=x', baggage: 'tenant=acme' }),
        webhookItem({ traceparent: `00-${otherTrace}-${CALLER_SPAN_ID}-01`, baggage: 'tenant=globex' }),
      ],
      parameters: continueParams(),
    });
    const [first, second] = await runNode(fake);
    expect(traceOf(second.json).traceId).toBe(otherTrace);
    expect(Object.fromEntries(fake.customData!)).toEqual({
      threadline_traceId: CALLER_TRACE_ID,
      threadline_traceparent: traceOf(first.json).traceparent,
      threadline_tracestate: 'vendor=x',
      threadline_baggage: 'tenant=acme',
    });
  });

  it('does not fail the step when the custom data already holds the 10 keys n8n keeps, and says so in the log', async () => {
    const fake = new FakeExecuteFunctions({
      items: [webhookItem({ traceparent: CALLER_TRACEPARENT })],
      parameters: continueParams(),
      customData: Object.fromEntries(Array.from({ length: 10 }, (_unused, index) => [`user_${index}`, 'x'])),
    });
    const [out] = await runNode(fake);
    expect(traceOf(out.json).traceId).toBe(CALLER_TRACE_ID);
    expect(fake.customData?.has('threadline_traceId')).toBe(false);
    expect(fake.logs).toContainEqual({ level: 'warn', message: expect.stringContaining("the trace id is not recorded in the execution's custom data") });
    expect(exportedSpans(fake)).toHaveLength(1);
  });

  it('starts a new trace (random flag set) when the caller sent no or an invalid traceparent', async () => {
    const fake = new FakeExecuteFunctions({
      items: [webhookItem({}), webhookItem({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01', tracestate: 'a=b' })],
      parameters: continueParams(),
    });
    const out = await runNode(fake);
    for (const item of out) {
      const trace = traceOf(item.json);
      expect(String(trace.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
      expect(trace.traceId).not.toBe(CALLER_TRACE_ID);
      // Restart drops tracestate; ours carries only the sampling threshold.
      expect(String(trace.tracestate ?? '')).not.toContain('a=b');
    }
    expect(traceOf(out[0].json).traceId).not.toBe(traceOf(out[1].json).traceId);
    const spans = exportedSpans(fake);
    expect(spans).toHaveLength(2);
    expect(spans.every((span) => span.parentSpanId === undefined && span.attributes['threadline.context.source'] === 'new')).toBe(true);
  });

  it('strips baggage members the rules do not accept from callers', async () => {
    const fake = new FakeExecuteFunctions({
      items: [webhookItem({ traceparent: CALLER_TRACEPARENT, baggage: 'tenant=acme,session=s3cr3t' })],
      parameters: continueParams(),
      credentials: { ...TEST_CREDENTIALS, baggageAccept: 'tenant' },
    });
    const [out] = await runNode(fake);
    expect(traceOf(out.json).baggage).toBe('tenant=acme');
  });

  it('reads the context from a field the user names, as headers or as a carrier object', async () => {
    const fake = new FakeExecuteFunctions({
      items: [{ json: { message: { trace: { traceparent: CALLER_TRACEPARENT, baggage: 'plan=gold' } } } }],
      parameters: continueParams({ headersField: 'message.trace' }),
    });
    const [out] = await runNode(fake);
    expect(traceOf(out.json).traceId).toBe(CALLER_TRACE_ID);
    expect(traceOf(out.json).baggage).toBe('plan=gold');
  });

  it("finds the Webhook's headers through the paired-item lineage when a node in between replaced the item", async () => {
    const fake = new FakeExecuteFunctions({
      items: [{ json: { replaced: true } }],
      parameters: continueParams(),
      ancestors: [
        { name: 'Set', type: 'n8n-nodes-base.set', depth: 1, pairedJson: { 0: { replaced: true } } },
        { name: 'Webhook', type: 'n8n-nodes-base.webhook', depth: 2, pairedJson: { 0: webhookItem({ traceparent: CALLER_TRACEPARENT }).json } },
      ],
    });
    const [out] = await runNode(fake);
    expect(traceOf(out.json).traceId).toBe(CALLER_TRACE_ID);
    expect(exportedSpans(fake)[0].attributes['threadline.context.source']).toBe('lineage');
  });

  it('always starts a new trace with Context From = New Trace', async () => {
    const fake = new FakeExecuteFunctions({ items: [webhookItem({ traceparent: CALLER_TRACEPARENT })], parameters: continueParams({ contextSource: 'newTrace' }) });
    const [out] = await runNode(fake);
    expect(traceOf(out.json).traceId).not.toBe(CALLER_TRACE_ID);
  });

  it('rejects a headers field that is not an object, naming the item', async () => {
    const fake = new FakeExecuteFunctions({ items: [{ json: { headers: 'traceparent: x' } }], parameters: continueParams() });
    await expect(runNode(fake)).rejects.toMatchObject({ message: 'Item 0: the field "headers" is not an object of headers', context: { itemIndex: 0 } });
  });

  describe('on n8n 1.x (no tracing of its own)', () => {
    it('probes once per run, finds nothing, and parents on the caller', async () => {
      const fake = new FakeExecuteFunctions({ items: [webhookItem({ traceparent: CALLER_TRACEPARENT }), webhookItem({ traceparent: CALLER_TRACEPARENT })], parameters: continueParams() });
      const out = await runNode(fake);
      const probes = fake.requests.filter((request) => request.helper === 'httpRequest');
      expect(probes).toHaveLength(1);
      expect(probes[0].options.url).toBe('http://127.0.0.1:4318/v1/traces');
      expect(out.every((item) => traceOf(item.json).n8nTracing === undefined)).toBe(true);
      expect(exportedSpans(fake).every((span) => span.parentSpanId === CALLER_SPAN_ID)).toBe(true);
    });

    it('sends no probe when joining is switched off', async () => {
      const fake = new FakeExecuteFunctions({ items: [webhookItem({ traceparent: CALLER_TRACEPARENT })], parameters: continueParams({ joinN8nTracing: false }) });
      await runNode(fake);
      expect(fake.requests.filter((request) => request.helper === 'httpRequest')).toHaveLength(0);
    });
  });

  describe('on n8n 2.19+ with its tracing on', () => {
    const N8N_NODE_SPAN = 'aaaaaaaaaaaaaaaa';

    it("joins n8n's trace: the span hangs under n8n's node span, in the caller's trace", async () => {
      const fake = new FakeExecuteFunctions({
        items: [webhookItem({ traceparent: CALLER_TRACEPARENT, baggage: 'tenant=acme' })],
        parameters: continueParams(),
        n8nTracing: { traceparent: `00-${CALLER_TRACE_ID}-${N8N_NODE_SPAN}-01` },
      });
      const [out] = await runNode(fake);
      const [span] = exportedSpans(fake);
      expect(span).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: N8N_NODE_SPAN });
      expect(span.attributes['threadline.n8n.tracing']).toBe(true);
      expect(traceOf(out.json)).toMatchObject({ traceId: CALLER_TRACE_ID, n8nTracing: true, baggage: 'tenant=acme' });
    });

    it("joins n8n's trace instead of starting a second one when the caller sent no context", async () => {
      const n8nTraceId = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
      const fake = new FakeExecuteFunctions({
        items: [webhookItem({})],
        parameters: continueParams(),
        n8nTracing: { traceparent: `00-${n8nTraceId}-${N8N_NODE_SPAN}-01` },
      });
      const [out] = await runNode(fake);
      expect(traceOf(out.json).traceId).toBe(n8nTraceId);
      expect(exportedSpans(fake)[0]).toMatchObject({ traceId: n8nTraceId, parentSpanId: N8N_NODE_SPAN });
    });

    it("keeps the caller's trace when n8n did not adopt it", async () => {
      const fake = new FakeExecuteFunctions({
        items: [webhookItem({ traceparent: CALLER_TRACEPARENT })],
        parameters: continueParams(),
        n8nTracing: { traceparent: `00-cccccccccccccccccccccccccccccccc-${N8N_NODE_SPAN}-01` },
      });
      await runNode(fake);
      expect(exportedSpans(fake)[0]).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: CALLER_SPAN_ID });
    });
  });
});
