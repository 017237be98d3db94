import type { INodeExecutionData } from 'n8n-workflow';
import { FakeExecuteFunctions } from './support/fake-execute-functions';
import { CALLER_TRACE_ID, exportedSpans, runNode } from './support/run-node';
import { CONTINUE_SPAN_ID, ITEM_TRACEPARENT, traceOf, tracedItem } from './support/traced-item';

async function step(items: INodeExecutionData[], parameters: Record<string, unknown>): Promise<{ out: INodeExecutionData[]; fake: FakeExecuteFunctions }> {
  const fake = new FakeExecuteFunctions({ items, parameters });
  return { out: await runNode(fake), fake };
}

describe('Start Span / Add Event / Set Attributes / End Span', () => {
  it('carries a named span on the item from Start Span to End Span, and sends it once it ends', async () => {
    const started = await step([tracedItem()], {
      operation: 'startSpan',
      spanName: 'process order',
      spanKind: 'internal',
      attributes: { attribute: [{ key: 'order.channel', value: 'web' }] },
    });
    expect(exportedSpans(started.fake)).toHaveLength(0);
    const afterStart = traceOf(started.out[0]);
    expect(afterStart.open).toHaveLength(1);
    const record = afterStart.open[0];
    expect(record).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: CONTINUE_SPAN_ID, name: 'process order', kind: 'internal' });
    // Outbound calls made inside the span are its children.
    expect(afterStart.traceparent).toBe(`00-${CALLER_TRACE_ID}-${String(record.spanId)}-01`);
    expect(afterStart.baggage).toBe('tenant=acme');

    const evented = await step(started.out, { operation: 'addEvent', eventName: 'validated', attributes: { attribute: [{ key: 'items', value: '3' }] } });
    const attributed = await step(evented.out, { operation: 'setAttributes', attributes: { attribute: [{ key: 'order.total', value: '12.50' }] } });
    const ended = await step(attributed.out, { operation: 'endSpan', spanToEnd: 'innermost', status: 'ok', httpStatusCode: 0, attributes: {} });

    const [span] = exportedSpans(ended.fake);
    expect(span).toMatchObject({ traceId: CALLER_TRACE_ID, spanId: record.spanId, parentSpanId: CONTINUE_SPAN_ID, name: 'process order', status: { code: 1 } });
    expect(span.attributes).toMatchObject({ 'order.channel': 'web', 'order.total': '12.50' });
    expect(span.events).toEqual([expect.objectContaining({ name: 'validated', attributes: { items: '3' } })]);
    expect(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano)).toBe(true);
    const afterEnd = traceOf(ended.out[0]);
    expect(afterEnd.open).toEqual([]);
    expect(afterEnd.traceparent).toBe(ITEM_TRACEPARENT);
    expect(ended.out[0].json.order).toBe(7);
  });

  it('ends a span by name, leaving inner spans open, and records an error status', async () => {
    const outer = await step([tracedItem()], { operation: 'startSpan', spanName: 'outer', spanKind: 'internal', attributes: {} });
    const inner = await step(outer.out, { operation: 'startSpan', spanName: 'inner', spanKind: 'producer', attributes: {} });
    const ended = await step(inner.out, { operation: 'endSpan', spanToEnd: 'byName', spanName: 'outer', status: 'error', errorMessage: 'stock check failed', httpStatusCode: 0, attributes: {} });
    const [span] = exportedSpans(ended.fake);
    expect(span).toMatchObject({ name: 'outer', status: { code: 2, message: 'stock check failed' } });
    const trace = traceOf(ended.out[0]);
    expect(trace.open.map((record) => record.name)).toEqual(['inner']);
    expect(trace.traceparent).toBe(`00-${CALLER_TRACE_ID}-${String(trace.open[0].spanId)}-01`);
  });

  it('records the HTTP status code given to End Span with the semantic conventions (4xx is a client error)', async () => {
    const started = await step([tracedItem()], { operation: 'startSpan', spanName: 'GET', spanKind: 'client', attributes: {} });
    const ended = await step(started.out, { operation: 'endSpan', spanToEnd: 'innermost', status: 'unset', httpStatusCode: 404, attributes: {} });
    const [span] = exportedSpans(ended.fake);
    expect(span.kind).toBe(3);
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': '404' });
    expect(span.status.code).toBe(2);
  });

  it('fails with the item index when there is no open span, or no span of that name', async () => {
    await expect(step([tracedItem()], { operation: 'endSpan', spanToEnd: 'innermost', status: 'unset', httpStatusCode: 0, attributes: {} })).rejects.toMatchObject({
      message: 'Item 0 has no open span to end',
      context: { itemIndex: 0 },
    });
    await expect(step([tracedItem(), tracedItem()], { operation: 'addEvent', eventName: 'x', attributes: {} })).rejects.toMatchObject({ message: 'Item 0 has no open span' });
    await expect(step([tracedItem()], { operation: 'endSpan', spanToEnd: 'byName', spanName: 'nope', status: 'unset', httpStatusCode: 0, attributes: {} })).rejects.toMatchObject({
      message: 'Item 0 has no open span named "nope"',
    });
  });

  it('rejects an attribute without a key and an empty span name', async () => {
    await expect(step([tracedItem()], { operation: 'startSpan', spanName: 'x', spanKind: 'internal', attributes: { attribute: [{ key: ' ', value: 'v' }] } })).rejects.toMatchObject({
      message: 'Attribute 1 has no key',
    });
    await expect(step([tracedItem()], { operation: 'startSpan', spanName: '  ', spanKind: 'internal', attributes: {} })).rejects.toMatchObject({ message: 'Span Name is empty' });
  });

  it('redacts span attributes with the strict default rules before they leave', async () => {
    const started = await step([tracedItem()], {
      operation: 'startSpan',
      spanName: 'notify',
      spanKind: 'internal',
      attributes: { attribute: [{ key: 'customer.note', value: 'mail bob@example.com' }, { key: 'db.password', value: 'hunter2' }] },
    });
    const ended = await step(started.out, { operation: 'endSpan', spanToEnd: 'innermost', status: 'unset', httpStatusCode: 0, attributes: {} });
    const [span] = exportedSpans(ended.fake);
    expect(span.attributes['customer.note']).toBe('mail REDACTED');
    expect(span.attributes['db.password']).toBeUndefined();
    expect(JSON.stringify(span)).not.toContain('hunter2');
  });
});
