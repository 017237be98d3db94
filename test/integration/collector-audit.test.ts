// The completeness audit of the collector process, on traces made by real HTTP services and the
// connectors pipeline: 100 % complete when every step carries the context, and, when one flow step
// drops it, the gap shown at that step (JSON, per trace, and as Prometheus metrics).
import { createTracedFetch } from '@threadline/connectors';
import type { AuditReport, TraceDetailResponse } from '@threadline/collector';
import { pipelineTo, startCollectorProcess, waitFor, type CollectorProcess } from './collector-harness';
import { startOrdersApp } from './collector-orders-app';

jest.setTimeout(90_000);

/** Places one order from an instrumented caller; returns the caller's trace id. */
async function placeOrder(collector: CollectorProcess, entryUrl: string): Promise<string> {
  const caller = pipelineTo(collector.tracesUrl, 'shop-frontend');
  try {
    const root = caller.pipeline.openRecord({ name: 'checkout' });
    const response = await createTracedFetch(caller)(entryUrl, { method: 'POST', threadline: { parent: caller.pipeline.recordToCarrier(root)! } });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    caller.pipeline.endRecord(root);
    await caller.forceFlush();
    return root.traceId;
  } finally {
    await caller.shutdown();
  }
}

async function settledTrace(collector: CollectorProcess, traceId: string, spans: number): Promise<TraceDetailResponse> {
  return waitFor(`trace ${traceId} settled with ${spans} spans`, async () => {
    const detail = await collector.get<TraceDetailResponse>(`/api/traces/${traceId}`).catch(() => undefined);
    return detail !== undefined && detail.summary.settled && detail.spans.length >= spans ? detail : undefined;
  });
}

test('every step carries the context: the audit reports 100 % complete, the flow view shows the flow and its nodes', async () => {
  const collector = await startCollectorProcess(['--settle', '500ms']);
  const app = await startOrdersApp(collector.tracesUrl);
  try {
    const traceId = await placeOrder(collector, app.entryUrl);
    // checkout, its fetch, orders SERVER, validate order, reserve stock, its fetch, stock SERVER
    const detail = await settledTrace(collector, traceId, 7);
    expect(detail.summary.services).toEqual(['shop-frontend', 'node-red', 'stock-api']);
    expect(detail.audit).toMatchObject({ complete: true, missingParents: [], contextBreaks: [] });
    expect(detail.flowView.flows).toEqual([
      expect.objectContaining({ platform: 'node-red', flowName: 'Orders', steps: [expect.objectContaining({ step: expect.objectContaining({ nodeName: 'validate order' }) }), expect.objectContaining({ step: expect.objectContaining({ nodeName: 'reserve stock' }) })] }),
    ]);
    const report = await collector.get<AuditReport>('/api/audit');
    expect(report).toMatchObject({ traceCount: 1, completeCount: 1, completeShare: 1, contextBreaks: [] });
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^threadline_collector_trace_completeness_ratio 1$/m);
  } finally {
    await app.close();
    await collector.stop();
  }
});

test('one flow step drops the context: the audit shows the gap at that step', async () => {
  const collector = await startCollectorProcess(['--settle', '500ms']);
  const app = await startOrdersApp(collector.tracesUrl, { dropContextAt: 'reserve stock' });
  try {
    const traceId = await placeOrder(collector, app.entryUrl);
    const detail = await settledTrace(collector, traceId, 4);
    const report = await waitFor('the context break', async () => {
      const current = await collector.get<AuditReport>('/api/audit');
      return current.traceCount === 2 && current.contextBreaks.length > 0 ? current : undefined;
    });
    expect(report).toMatchObject({ traceCount: 2, completeCount: 0, completeShare: 0 });
    const [gap] = report.contextBreaks;
    expect(gap).toMatchObject({
      rule: 'same-flow-sequence',
      at: { label: 'node-red flow "Orders" › node "reserve stock"', service: 'node-red' },
      from: { label: 'node-red flow "Orders" › node "validate order"', traceId },
    });
    expect(gap!.reason).toMatch(/^context lost at node-red flow "Orders" › node "reserve stock"/);
    // The caller's trace knows it lost its continuation, and where.
    const caller = await collector.get<TraceDetailResponse>(`/api/traces/${detail.summary.traceId}`);
    expect(caller.audit.complete).toBe(false);
    expect(caller.audit.contextBreaks).toEqual([expect.objectContaining({ role: 'caller', at: expect.objectContaining({ traceId: gap!.at.traceId }) })]);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^threadline_collector_trace_completeness_ratio 0$/m);
    expect(metrics).toMatch(/^threadline_collector_context_breaks 1$/m);
  } finally {
    await app.close();
    await collector.stop();
  }
});

test('a called service that ignores the traceparent: the gap is at that service, called by the flow step', async () => {
  const collector = await startCollectorProcess(['--settle', '500ms']);
  const app = await startOrdersApp(collector.tracesUrl, { dropContextAt: 'stock-api' });
  try {
    const traceId = await placeOrder(collector, app.entryUrl);
    await settledTrace(collector, traceId, 6);
    const report = await waitFor('the context break', async () => {
      const current = await collector.get<AuditReport>('/api/audit');
      return current.contextBreaks.length > 0 ? current : undefined;
    });
    expect(report.contextBreaks).toEqual([
      expect.objectContaining({
        rule: 'client-server-match',
        at: expect.objectContaining({ label: 'service "stock-api" › span "GET /stock/:sku"', service: 'stock-api' }),
        from: expect.objectContaining({ label: 'node-red flow "Orders" › node "reserve stock" › span "GET"', traceId }),
      }),
    ]);
  } finally {
    await app.close();
    await collector.stop();
  }
});
