// A restart with --persist keeps the last traces: spans from the connectors pipeline, the collector
// stopped with SIGTERM and started again on the same file, even with a cut-off line at its end.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { StoreStats, TraceDetailResponse, TraceListResponse } from '@threadline/collector';
import { pipelineTo, startCollectorProcess, waitFor } from './collector-harness';

jest.setTimeout(90_000);

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'threadline-collector-persist-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

test('after a restart the last traces are there, whole, and a corrupt tail is skipped', async () => {
  const file = path.join(folder, 'traces.jsonl');
  const maxSpans = 30;
  const first = await startCollectorProcess(['--persist', file, '--max-spans', String(maxSpans)]);
  const tl = pipelineTo(first.tracesUrl, 'persisted');
  const traceIds: string[] = [];
  try {
    for (let t = 0; t < 10; t++) {
      const root = tl.pipeline.openRecord({ name: `order ${t}`, kind: 'server' });
      tl.pipeline.endRecord(tl.pipeline.openRecord({ name: 'step', parent: tl.pipeline.recordToCarrier(root)! }));
      tl.pipeline.endRecord(tl.pipeline.openRecord({ name: 'step', parent: tl.pipeline.recordToCarrier(root)! }));
      tl.pipeline.endRecord(root);
      traceIds.push(root.traceId);
      // One export per trace, so arrival order is trace order.
      await tl.forceFlush();
    }
    await waitFor('30 spans', async () => ((await first.get<StoreStats>('/api/stats')).received === 30 ? true : undefined));
  } finally {
    await tl.shutdown();
  }
  expect(await first.stop()).toBe(0);
  // A crash in the middle of a write.
  appendFileSync(file, '{"receivedMs":1763780000000,"span":{"traceId":"4bf92f3577b34da6a3ce9');

  const second = await startCollectorProcess(['--persist', file, '--max-spans', '12']);
  try {
    expect(second.stderr()).toMatch(/kept 12 spans in 4 traces from .*traces\.jsonl \(1 unreadable lines skipped\)/);
    const list = await second.get<TraceListResponse>('/api/traces');
    expect(list.traces.map((trace) => trace.traceId).sort()).toEqual(traceIds.slice(-4).sort());
    const last = await second.get<TraceDetailResponse>(`/api/traces/${traceIds[9]}`);
    expect(last.spans.map((span) => span.name).sort()).toEqual(['order 9', 'step', 'step']);
    expect(last.audit.complete).toBe(true);
    expect((await second.get<StoreStats>('/api/stats')).persistence).toMatchObject({ loadedSpans: 30, skippedLines: 1 });
  } finally {
    expect(await second.stop()).toBe(0);
  }
});
