// The completeness audit: missing parents, external callers, and the two context-break rules.
import { TraceQueries } from '../src/query/trace-queries';
import { TraceStore } from '../src/store/trace-store';
import type { ReceivedSpan } from '../src/otlp/decode';
import { nodeRed, span, spanId, T0_MS, traceId } from './spans';

function setup(spans: ReceivedSpan[]): TraceQueries {
  let now = 0;
  const store = new TraceStore({ maxSpans: 1000, maxAgeMs: 3_600_000, now: () => now });
  for (const item of spans) store.add(item);
  now = 10_000; // everything has settled
  return new TraceQueries(store, { settleMs: 2000, now: () => now });
}

/** caller → entry (SERVER) → flow steps → egress CLIENT → API SERVER, all in one trace. */
function completeTrace(id = traceId(), at = T0_MS): ReceivedSpan[] {
  const caller = span({ traceId: id, name: 'GET /orders', kind: 3, service: 'caller', startMs: at, durationMs: 100, attributes: { 'server.address': '127.0.0.1', 'server.port': 8080 } });
  const entry = span({ traceId: id, parentSpanId: caller.spanId, name: 'GET /orders', kind: 2, service: 'node-red', startMs: at + 5, durationMs: 90, attributes: { ...nodeRed('Orders', 'orders in', 'http in'), 'server.address': '127.0.0.1', 'server.port': 8080 } });
  const enrich = span({ traceId: id, parentSpanId: entry.spanId, name: 'enrich', service: 'node-red', startMs: at + 10, durationMs: 10, attributes: nodeRed('Orders', 'enrich') });
  const egress = span({ traceId: id, parentSpanId: enrich.spanId, name: 'GET', kind: 3, service: 'node-red', startMs: at + 25, durationMs: 50, attributes: { ...nodeRed('Orders', 'call stock', 'http request'), 'url.full': 'http://localhost:9000/stock' } });
  const api = span({ traceId: id, parentSpanId: egress.spanId, name: 'GET /stock', kind: 2, service: 'stock-api', startMs: at + 30, durationMs: 40, attributes: { 'server.address': '127.0.0.1', 'server.port': 9000 } });
  return [caller, entry, enrich, egress, api];
}

test('a complete trace: 100 % complete, no gap, flow view by flow and node', () => {
  const spans = completeTrace();
  const queries = setup(spans);
  const id = spans[0]!.traceId;
  const audit = queries.traceAudit(id)!;
  expect(audit).toMatchObject({ complete: true, settled: true, spanCount: 5, missingParents: [], contextBreaks: [] });
  expect(queries.auditReport(Number.MAX_SAFE_INTEGER)).toMatchObject({ traceCount: 1, completeCount: 1, completeShare: 1 });
  const flow = queries.flowView(id)!;
  expect(flow.flows).toHaveLength(1);
  expect(flow.flows[0]!.steps.map((step) => step.step.nodeName)).toEqual(['orders in', 'enrich', 'call stock']);
  expect(flow.services.map((entry) => entry.service)).toEqual(['caller', 'stock-api']);
});

test('a missing parent is listed with the step of the child that points to it', () => {
  const spans = completeTrace();
  const queries = setup(spans.filter((_, index) => index !== 2)); // "enrich" never arrived
  const audit = queries.traceAudit(spans[0]!.traceId)!;
  expect(audit.complete).toBe(false);
  expect(audit.missingParents).toEqual([
    expect.objectContaining({ parentSpanId: spans[2]!.spanId, childSpanIds: [spans[3]!.spanId], children: [expect.objectContaining({ label: 'node-red flow "Orders" › node "call stock"' })] }),
  ]);
});

test('an entry SERVER span whose caller is outside the system is not a gap', () => {
  const id = traceId();
  const entry = span({ traceId: id, parentSpanId: spanId(), kind: 2, name: 'GET /orders', service: 'proxy' });
  const child = span({ traceId: id, parentSpanId: entry.spanId, startMs: T0_MS + 1 });
  const audit = setup([entry, child]).traceAudit(id)!;
  expect(audit.complete).toBe(true);
  expect(audit.externalParent).toMatchObject({ parentSpanId: entry.parentSpanId, entry: { service: 'proxy' } });
});

test('client-server-match: a SERVER root called by a CLIENT span of another trace is where context was lost', () => {
  const spans = completeTrace();
  const api = spans[4]!;
  const detachedId = traceId();
  // The API did not continue the caller's trace: its span is the root of a trace of its own.
  const detached = { ...api, traceId: detachedId };
  delete detached.parentSpanId;
  const queries = setup([...spans.slice(0, 4), detached]);
  const caller = queries.traceAudit(spans[0]!.traceId)!;
  const root = queries.traceAudit(detachedId)!;
  expect(caller.complete).toBe(false);
  expect(root.complete).toBe(false);
  expect(root.contextBreaks).toEqual([
    expect.objectContaining({
      role: 'new-root',
      rule: 'client-server-match',
      at: expect.objectContaining({ traceId: detachedId, label: 'service "stock-api" › span "GET /stock"' }),
      from: expect.objectContaining({ traceId: spans[0]!.traceId, label: 'node-red flow "Orders" › node "call stock"' }),
    }),
  ]);
  expect(caller.contextBreaks[0]).toMatchObject({ role: 'caller' });
  const report = queries.auditReport(Number.MAX_SAFE_INTEGER);
  expect(report).toMatchObject({ traceCount: 2, completeCount: 0, completeShare: 0 });
  expect(report.contextBreaks).toHaveLength(1);
});

test('same-flow-sequence: a flow step that starts a new trace right after the previous step is the gap', () => {
  const spans = completeTrace();
  const [caller, entry, enrich, egress, api] = spans as [ReceivedSpan, ReceivedSpan, ReceivedSpan, ReceivedSpan, ReceivedSpan];
  const detachedId = traceId();
  // "call stock" lost the message's context (a Function node before it returned a new msg).
  const lostEgress = { ...egress, traceId: detachedId };
  delete lostEgress.parentSpanId;
  const lostApi = { ...api, traceId: detachedId };
  const queries = setup([caller, entry, enrich, lostEgress, lostApi]);
  const root = queries.traceAudit(detachedId)!;
  expect(root.contextBreaks).toEqual([
    expect.objectContaining({ rule: 'same-flow-sequence', at: expect.objectContaining({ label: 'node-red flow "Orders" › node "call stock"' }), from: expect.objectContaining({ spanId: enrich.spanId }) }),
  ]);
  expect(root.contextBreaks[0]!.reason).toMatch(/context lost at node-red flow "Orders" › node "call stock".*after node-red flow "Orders" › node "enrich"/);
  expect(queries.traceSummary(caller.traceId)!.complete).toBe(false);
});

test('repeated runs of a flow that starts at an internal trigger node are not mistaken for a gap', () => {
  const runs = [0, 1, 2].map((run) => {
    const id = traceId();
    const trigger = span({ traceId: id, name: 'tick', startMs: T0_MS + run * 1000, durationMs: 5, attributes: nodeRed('Timer', 'every second', 'inject') });
    const work = span({ traceId: id, parentSpanId: trigger.spanId, name: 'work', startMs: T0_MS + run * 1000 + 5, durationMs: 5, attributes: nodeRed('Timer', 'work') });
    return [trigger, work];
  });
  const queries = setup(runs.flat());
  const report = queries.auditReport(Number.MAX_SAFE_INTEGER);
  expect(report).toMatchObject({ traceCount: 3, completeCount: 3, contextBreaks: [] });
});

test('a trace still receiving spans is pending, not judged', () => {
  let now = 0;
  const store = new TraceStore({ maxSpans: 100, maxAgeMs: 3_600_000, now: () => now });
  for (const item of completeTrace()) store.add(item);
  now = 500;
  const report = new TraceQueries(store, { settleMs: 2000, now: () => now }).auditReport(Number.MAX_SAFE_INTEGER);
  expect(report).toMatchObject({ traceCount: 0, pendingCount: 1, completeShare: 1 });
});
