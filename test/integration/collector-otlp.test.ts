// The collector's OTLP receiver as a real process, fed by the connectors pipeline: retried batches
// stored once, a 100,000-span burst within the bound, the token, and forwarding upstream.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoreStats, TraceDetailResponse, TraceListResponse } from '@threadline/collector';
import { startReceiver, type Receiver } from '../support/otlp-receiver-client';
import { pipelineTo, runThreadline, startCollectorProcess, waitFor, type CollectorProcess } from './collector-harness';

jest.setTimeout(120_000);

/**
 * Passes every export on to the collector but, for the first `failures` exports, tells the
 * exporter 503 afterwards: the spans are stored, the exporter believes they were not and retries.
 */
async function lossyResponses(target: string, failures: number): Promise<{ url: string; close(): Promise<void> }> {
  let left = failures;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void fetch(target, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Buffer.concat(chunks) })
        .then(async (upstream) => {
          const body = Buffer.from(await upstream.arrayBuffer());
          if (left > 0) {
            left--;
            res.writeHead(503, { 'retry-after': '0' }).end('response lost');
          } else res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' }).end(body);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('one collector process', () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess(['--settle', '200ms']);
  });
  afterAll(async () => {
    expect(await collector.stop()).toBe(0);
    expect(collector.stderr()).toMatch(/stopped \(\d+ spans received/);
  });

  test('an export batch retried by the exporter stores each span once', async () => {
    const lossy = await lossyResponses(collector.tracesUrl, 2);
    const tl = pipelineTo(lossy.url, 'retry-service');
    try {
      const before = await collector.get<StoreStats>('/api/stats');
      const root = tl.pipeline.openRecord({ name: 'order' });
      const children = [1, 2, 3, 4].map((n) => tl.pipeline.openRecord({ name: `step ${n}`, parent: tl.pipeline.recordToCarrier(root)! }));
      for (const child of children) tl.pipeline.endRecord(child);
      tl.pipeline.endRecord(root);
      await tl.forceFlush();
      const detail = await waitFor('the trace', () => collector.get<TraceDetailResponse>(`/api/traces/${root.traceId}`).catch(() => undefined));
      const stats = await collector.get<StoreStats>('/api/stats');
      // Three deliveries of the same 5 spans: 5 stored, 10 recognised as duplicates.
      expect(stats.received - before.received).toBe(5);
      expect(stats.duplicates - before.duplicates).toBe(10);
      expect(detail.spans).toHaveLength(5);
      expect(new Set(detail.spans.map((span) => span.spanId)).size).toBe(5);
      expect(detail.audit.complete).toBe(true);
    } finally {
      await tl.shutdown();
      await lossy.close();
    }
  });

  test('JSON with gzip arrives the same as protobuf', async () => {
    const tl = pipelineTo(collector.tracesUrl, 'json-service', (config) => {
      config.exporter.protocol = 'http/json';
      config.exporter.compression = 'gzip';
    });
    try {
      const record = tl.pipeline.openRecord({ name: 'json span', kind: 'server', attributes: { 'node_red.flow.name': 'Orders', 'node_red.node.name': 'validate order' } });
      tl.pipeline.endRecord(record);
      await tl.forceFlush();
      const detail = await waitFor('the trace', () => collector.get<TraceDetailResponse>(`/api/traces/${record.traceId}`).catch(() => undefined));
      expect(detail.spans[0]).toMatchObject({ name: 'json span', kind: 'server', service: 'json-service', flow: { platform: 'node-red', flowName: 'Orders', nodeName: 'validate order' } });
      const list = await collector.get<TraceListResponse>(`/api/traces?service=json-service&attr=node_red.node.name%3Dvalidate%20order`);
      expect(list.traces.map((trace) => trace.traceId)).toEqual([record.traceId]);
    } finally {
      await tl.shutdown();
    }
  });

  test('bad requests answer 415 or 400 with the reason, and the collector keeps serving', async () => {
    const wrongType = await fetch(collector.tracesUrl, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ message: expect.stringContaining('unsupported content type "text/csv"') });
    const notJson = await fetch(collector.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ message: expect.stringContaining('body is not JSON') });
    const badQuery = await fetch(`${collector.url}/api/traces?minDurationMs=soon`);
    expect(badQuery.status).toBe(400);
    expect(await badQuery.json()).toEqual({ error: 'minDurationMs: "soon" is not a non-negative number' });
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });
});

test('a burst of 100,000 spans keeps the store within --max-spans, evicting whole traces', async () => {
  const maxSpans = 20_000;
  const collector = await startCollectorProcess(['--max-spans', String(maxSpans)]);
  const tl = pipelineTo(collector.tracesUrl, 'burst', (config) => {
    config.exporter.queue = { ...config.exporter.queue, maxSize: 100_000, maxBatchSize: 5_000 };
  });
  try {
    const spansPerTrace = 10;
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await collector.get<StoreStats>('/api/stats')).spans);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    for (let t = 0; t < 100_000 / spansPerTrace; t++) {
      const root = tl.pipeline.openRecord({ name: `trace ${t}` });
      const carrier = tl.pipeline.recordToCarrier(root)!;
      for (let s = 1; s < spansPerTrace; s++) tl.pipeline.endRecord(tl.pipeline.openRecord({ name: `span ${s}`, parent: carrier }));
      tl.pipeline.endRecord(root);
    }
    await tl.forceFlush();
    expect(tl.stats()).toMatchObject({ dropped: 0, failed: 0 });
    const stats = await waitFor('100,000 spans at the collector', async () => {
      const current = await collector.get<StoreStats>('/api/stats');
      return current.received + current.duplicates >= 100_000 ? current : undefined;
    }, 60_000);
    sampling = false;
    await sampler;
    expect(stats.received).toBe(100_000);
    expect(stats.spans).toBeLessThanOrEqual(maxSpans);
    expect(peak).toBeLessThanOrEqual(maxSpans);
    expect(stats.spans).toBe(stats.traces * spansPerTrace); // only whole traces remain
    expect(stats.evictedSpans).toBe(100_000 - stats.spans);
    const newest = await collector.get<TraceListResponse>('/api/traces?limit=1000');
    expect(newest.traces.every((trace) => trace.spanCount === spansPerTrace && trace.complete)).toBe(true);
  } finally {
    await tl.shutdown();
    await collector.stop();
  }
});

test('a wrong option is a usage error (exit 2) naming it', async () => {
  const cli = runThreadline(['collector', '--max-age', 'forever']);
  expect(await cli.exited).toBe(2);
  expect(cli.stderr()).toMatch(/^threadline collector: --max-age: "forever" is not a duration/);
});

test('bound to a non-loopback address without a token, it refuses to start', async () => {
  const cli = runThreadline(['collector', '--host', '0.0.0.0', '--port', '0']);
  expect(await cli.exited).toBe(1);
  expect(cli.stderr()).toMatch(/host: listening on 0\.0\.0\.0 \(not loopback\) needs a token/);
});

test('with a token, requests without it answer 401; exporters with it are served', async () => {
  const token = 'collector-test-token-0123456789';
  const collector = await startCollectorProcess([], { token });
  const tl = pipelineTo(collector.tracesUrl, 'token-service', (config) => {
    config.exporter.headers = { authorization: `Bearer ${token}` };
  });
  try {
    expect((await fetch(`${collector.url}/api/traces`)).status).toBe(401);
    expect((await fetch(collector.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    const record = tl.pipeline.openRecord({ name: 'with token' });
    tl.pipeline.endRecord(record);
    await tl.forceFlush();
    const detail = await waitFor('the trace', () => collector.get<TraceDetailResponse>(`/api/traces/${record.traceId}`).catch(() => undefined));
    expect(detail.spans[0]!.name).toBe('with token');
  } finally {
    await tl.shutdown();
    await collector.stop();
  }
});

describe('forwarding', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.stop());

  test('everything accepted goes on to the upstream endpoint once; an unreachable upstream is counted, not fatal', async () => {
    const collector = await startCollectorProcess(['--forward', receiver.url]);
    const tl = pipelineTo(collector.tracesUrl, 'forwarded');
    try {
      const root = tl.pipeline.openRecord({ name: 'forward me', attributes: { 'node_red.flow.name': 'Orders', 'node_red.node.name': 'n' } });
      tl.pipeline.endRecord(tl.pipeline.openRecord({ name: 'child', parent: tl.pipeline.recordToCarrier(root)! }));
      tl.pipeline.endRecord(root);
      await tl.forceFlush();
      const spans = await receiver.waitForSpans((all) => all.filter((span) => span.traceId === root.traceId).length >= 2, 20_000);
      const forwarded = spans.filter((span) => span.traceId === root.traceId);
      expect(forwarded.map((span) => span.name).sort()).toEqual(['child', 'forward me']);
      expect(forwarded.find((span) => span.name === 'forward me')).toMatchObject({ resource: expect.objectContaining({ 'service.name': 'forwarded' }), attributes: expect.objectContaining({ 'node_red.flow.name': 'Orders' }) });
      expect((await collector.get<StoreStats>('/api/stats')).forwarding).toMatchObject({ forwardedSpans: 2, droppedSpans: 0, failedExports: 0 });
    } finally {
      await tl.shutdown();
      await collector.stop();
    }

    const unreachable = await startCollectorProcess(['--forward', 'http://127.0.0.1:9/v1/traces']);
    const tl2 = pipelineTo(unreachable.tracesUrl, 'forwarded');
    try {
      const record = tl2.pipeline.openRecord({ name: 'nowhere to go' });
      tl2.pipeline.endRecord(record);
      await tl2.forceFlush();
      const stats = await waitFor('a failed forward', async () => {
        const current = await unreachable.get<StoreStats>('/api/stats');
        return current.forwarding!.failedExports > 0 ? current : undefined;
      });
      expect(stats).toMatchObject({ spans: 1, forwarding: { failedSpans: 1 } });
      expect(unreachable.stderr()).toMatch(/forwarding to http:\/\/127\.0\.0\.1:9\/v1\/traces failed/);
    } finally {
      await tl2.shutdown();
      expect(await unreachable.stop()).toBe(0);
    }
  });
});
