import { ExportResultCode } from '@opentelemetry/core';
import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { BatchQueueOptions } from '../../../src/pipeline/export/batch-queue';
import { BatchQueue } from '../../../src/pipeline/export/batch-queue';
import type { RedactedSpan } from '../../../src/pipeline/redact/redacted-span';
import { PipelineCounters } from '../../../src/pipeline/stats';
import { finishedSpan, ScriptedExporter } from '../test-spans';

const FAILED_503 = { code: ExportResultCode.FAILED, error: new OTLPExporterError('Service Unavailable', 503) };
const FAILED_400 = { code: ExportResultCode.FAILED, error: new OTLPExporterError('Bad Request', 400) };
const FAILED_NETWORK = { code: ExportResultCode.FAILED, error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' }) };

function options(overrides: Partial<BatchQueueOptions> = {}): BatchQueueOptions {
  return {
    maxQueueSize: 100,
    maxBatchSize: 10,
    scheduledDelayMillis: 5,
    exportTimeoutMillis: 5000,
    retry: { maxAttempts: 3, initialBackoffMillis: 5, maxBackoffMillis: 20 },
    shutdownTimeoutMillis: 2000,
    maxConcurrentExports: 1,
    random: () => 0.5,
    ...overrides,
  };
}

function setup(overrides: Partial<BatchQueueOptions> = {}, exporter: SpanExporter = new ScriptedExporter()) {
  const counters = new PipelineCounters();
  const queue = new BatchQueue(exporter, counters, options(overrides));
  const push = (count: number): void => {
    for (let i = 0; i < count; i++) queue.push(finishedSpan() as RedactedSpan);
  };
  const stats = () => counters.snapshot(queue.queued);
  return { counters, queue, push, stats, exporter: exporter as ScriptedExporter };
}

const names = (spans: ReadableSpan[]): string[] => spans.map((span) => span.name);

describe('BatchQueue', () => {
  afterEach(() => jest.useRealTimers());

  test('sends full batches at once and a partial batch after the scheduled delay', async () => {
    const { exporter, queue, push, stats } = setup();
    push(25);
    // The first full batch goes out at once; the others follow it, the last partial one too
    // because a flush is waiting.
    expect(exporter.calls.map((batch) => batch.length)).toEqual([10]);
    await queue.forceFlush();
    expect(exporter.calls.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(stats()).toMatchObject({ queued: 0, exported: 25, dropped: 0, failed: 0, exportErrors: 0 });

    push(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exporter.calls.map((batch) => batch.length)).toEqual([10, 10, 5, 3]);
    await queue.shutdown();
  });

  test('the bound counts the batch being exported; everything past it is dropped and counted exactly', async () => {
    const exporter = new ScriptedExporter();
    exporter.script.push('hang');
    const { queue, push, stats } = setup({ maxQueueSize: 50, exportTimeoutMillis: 60_000, shutdownTimeoutMillis: 50 }, exporter);
    push(1234);
    expect(stats()).toMatchObject({ queued: 50, dropped: 1184, exported: 0 });
    await queue.shutdown();
    expect(stats()).toMatchObject({ queued: 0, dropped: 1184, exported: 0, failed: 50 });
  });

  test('retries a retryable failure with backoff and keeps the batch meanwhile', async () => {
    const exporter = new ScriptedExporter();
    exporter.script.push(FAILED_503, FAILED_NETWORK);
    const { queue, push, stats } = setup({}, exporter);
    push(4);
    const started = Date.now();
    await queue.forceFlush();
    // Backoffs of 5 ms then 10 ms (jitter fixed at 0).
    expect(Date.now() - started).toBeGreaterThanOrEqual(14);
    expect(exporter.calls.map(names)).toEqual([names(exporter.calls[0]), names(exporter.calls[0]), names(exporter.calls[0])]);
    expect(stats()).toMatchObject({ exported: 4, failed: 0, exportErrors: 2, queued: 0 });
    expect(stats().lastExportError).toBe('connect ECONNREFUSED 127.0.0.1:4318');
    await queue.shutdown();
  });

  test('a final answer (HTTP 400) is not retried', async () => {
    const exporter = new ScriptedExporter();
    exporter.script.push(FAILED_400);
    const { queue, push, stats } = setup({}, exporter);
    push(3);
    await queue.forceFlush();
    expect(exporter.calls).toHaveLength(1);
    expect(stats()).toMatchObject({ exported: 0, failed: 3, exportErrors: 1, lastExportError: 'HTTP 400 Bad Request' });
    await queue.shutdown();
  });

  test('after maxAttempts the batch fails and the next batch still goes out', async () => {
    const exporter = new ScriptedExporter();
    exporter.script.push(FAILED_503, FAILED_503, FAILED_503);
    const { queue, push, stats } = setup({ maxBatchSize: 2 }, exporter);
    push(4);
    await queue.forceFlush();
    expect(exporter.calls.map((batch) => batch.length)).toEqual([2, 2, 2, 2]);
    expect(stats()).toMatchObject({ exported: 2, failed: 2, exportErrors: 3, queued: 0 });
    await queue.shutdown();
  });

  test('the time budget of a batch ends its retries', async () => {
    const exporter = new ScriptedExporter();
    exporter.script.push(FAILED_503, FAILED_503, FAILED_503, FAILED_503);
    const { queue, push, stats } = setup({ exportTimeoutMillis: 12, retry: { maxAttempts: 10, initialBackoffMillis: 10, maxBackoffMillis: 10 } }, exporter);
    push(1);
    await queue.forceFlush();
    expect(exporter.calls.length).toBeLessThanOrEqual(2);
    expect(stats()).toMatchObject({ failed: 1, exported: 0 });
    await queue.shutdown();
  });

  test('an exporter that never answers fails the attempt when the budget runs out', async () => {
    const exporter = new ScriptedExporter();
    exporter.script.push('hang');
    const { queue, push, stats } = setup({ exportTimeoutMillis: 30 }, exporter);
    push(2);
    await queue.forceFlush();
    expect(stats()).toMatchObject({ failed: 2, exportErrors: 1, lastExportError: 'export did not complete within 30 ms' });
    await queue.shutdown();
  });

  test('an exporter that throws is a failed attempt, never an exception for the caller', async () => {
    const throwing: SpanExporter = {
      export() {
        throw new Error('exporter bug');
      },
      shutdown: async () => {},
    };
    const { queue, push, stats } = setup({ retry: { maxAttempts: 2, initialBackoffMillis: 1, maxBackoffMillis: 1 } }, throwing);
    expect(() => push(3)).not.toThrow();
    await queue.forceFlush();
    expect(stats()).toMatchObject({ failed: 3, exportErrors: 2, lastExportError: 'exporter bug' });
    await queue.shutdown();
  });

  test('while exports fail the queue stays bounded, and export resumes in order when the collector is back', async () => {
    const exporter = new ScriptedExporter();
    for (let i = 0; i < 6; i++) exporter.script.push(FAILED_NETWORK);
    const { queue, push, stats } = setup({ maxQueueSize: 20, maxBatchSize: 5, retry: { maxAttempts: 100, initialBackoffMillis: 2, maxBackoffMillis: 4 } }, exporter);
    push(20);
    expect(stats().queued).toBe(20);
    push(7);
    expect(stats()).toMatchObject({ queued: 20, dropped: 7 });
    const accepted = exporter.calls[0].map((span) => span.name);
    await queue.forceFlush();
    expect(stats()).toMatchObject({ queued: 0, exported: 20, dropped: 7, failed: 0, exportErrors: 6 });
    const delivered = exporter.calls.slice(6).flat().map((span) => span.name);
    expect(delivered.slice(0, 5)).toEqual(accepted);
    expect(new Set(delivered).size).toBe(20);
    await queue.shutdown();
  });

  test('exports several batches at once up to the concurrency limit, still within the bound', async () => {
    const exporter = new ScriptedExporter();
    exporter.script.push('hang', 'hang', 'hang');
    const { queue, push, stats } = setup({ maxQueueSize: 30, maxBatchSize: 10, maxConcurrentExports: 2, exportTimeoutMillis: 60_000, shutdownTimeoutMillis: 20 }, exporter);
    push(40);
    expect(exporter.calls.map((batch) => batch.length)).toEqual([10, 10]);
    expect(stats()).toMatchObject({ queued: 30, dropped: 10 });
    await queue.shutdown();
    expect(stats()).toMatchObject({ queued: 0, failed: 30, dropped: 10 });
  });

  test('accepted = exported + failed + queued at every moment', async () => {
    const exporter = new ScriptedExporter();
    exporter.script.push(FAILED_503, FAILED_400, FAILED_503, FAILED_503, FAILED_503);
    const { queue, push, stats } = setup({ maxQueueSize: 30, maxBatchSize: 4, maxConcurrentExports: 3 }, exporter);
    let pushed = 0;
    for (let round = 0; round < 20; round++) {
      push(5);
      pushed += 5;
      const s = stats();
      expect(s.exported + s.failed + s.queued + s.dropped).toBe(pushed);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await queue.forceFlush();
    const s = stats();
    expect(s.exported + s.failed + s.dropped).toBe(pushed);
    await queue.shutdown();
  });

  describe('shutdown', () => {
    test('flushes what is queued and shuts the exporter down once, however often it is called', async () => {
      const { exporter, queue, push, stats } = setup({ scheduledDelayMillis: 60_000 });
      push(3);
      const first = queue.shutdown();
      expect(queue.shutdown()).toBe(first);
      await first;
      expect(stats()).toMatchObject({ exported: 3, queued: 0 });
      expect(exporter.shutdowns).toBe(1);
    });

    test('resolves within its deadline while the collector is down; what is left counts as failed', async () => {
      const exporter = new ScriptedExporter();
      for (let i = 0; i < 1000; i++) exporter.script.push(FAILED_NETWORK);
      const { queue, push, stats } = setup({ shutdownTimeoutMillis: 100, retry: { maxAttempts: 1000, initialBackoffMillis: 10, maxBackoffMillis: 10 } }, exporter);
      push(35);
      const started = Date.now();
      await queue.shutdown();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(stats()).toMatchObject({ queued: 0, exported: 0, failed: 35 });
    });

    test('spans arriving after shutdown are dropped and counted', async () => {
      const { queue, push, stats } = setup();
      await queue.shutdown();
      push(2);
      expect(stats()).toMatchObject({ dropped: 2, queued: 0 });
    });

    test('does not wait for an exporter whose own shutdown hangs', async () => {
      const hanging = new ScriptedExporter();
      hanging.shutdown = () => new Promise<void>(() => {});
      const { queue } = setup({}, hanging);
      const started = Date.now();
      await queue.shutdown();
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });
});
