// Spans encoded one by one as they are queued must make the same requests as encoding the batch at
// export time, the queue must cut and count them as it does span objects, and a span that cannot be
// encoded must be counted as dropped without spoiling the rest of its batch.
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { BatchQueue } from '../../../src/pipeline/export/batch-queue';
import type { EncodedSpanExporter, EncodedSpans } from '../../../src/pipeline/export/encoded-spans';
import { isEncodedSpanExporter } from '../../../src/pipeline/export/encoded-spans';
import { createOtlpExporter } from '../../../src/pipeline/export/otlp-exporter';
import { SpanBatchEncoder } from '../../../src/pipeline/export/otlp-protobuf-encoder';
import type { RedactedSpan } from '../../../src/pipeline/redact/redacted-span';
import { PipelineCounters } from '../../../src/pipeline/stats';
import { finishedSpan } from '../test-spans';

const RESOURCE_A = resourceFromAttributes({ 'service.name': 'orders' });
const RESOURCE_B = resourceFromAttributes({ 'service.name': 'inventory' });
const SCOPE_1 = { name: 'scope-1', version: '1.0.0' };
const SCOPE_2 = { name: 'scope-2', schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' };

function spanOf(name: string, resource = RESOURCE_A, scope: ReadableSpan['instrumentationScope'] = SCOPE_1): ReadableSpan {
  return { ...finishedSpan({ name, attributes: { 'threadline.route': name } }), resource, instrumentationScope: scope };
}

function reference(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

/** Keeps the requests the queue hands it and answers at once. */
class KeepingEncodedExporter implements EncodedSpanExporter {
  readonly requests: EncodedSpans[] = [];

  startBatch(): SpanBatchEncoder {
    return new SpanBatchEncoder();
  }

  exportEncoded(spans: EncodedSpans, resultCallback: (result: ExportResult) => void): void {
    this.requests.push(spans);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  export(): void {
    throw new Error('span objects are not expected here');
  }

  async shutdown(): Promise<void> {}
}

function queueOf(exporter: EncodedSpanExporter, maxBatchSize: number, maxQueueSize = 100) {
  const counters = new PipelineCounters();
  const queue = new BatchQueue(exporter, counters, {
    maxQueueSize,
    maxBatchSize,
    scheduledDelayMillis: 5,
    exportTimeoutMillis: 5000,
    retry: { maxAttempts: 1, initialBackoffMillis: 5, maxBackoffMillis: 5 },
    shutdownTimeoutMillis: 1000,
    maxConcurrentExports: 1,
  });
  return { counters, queue };
}

describe('SpanBatchEncoder', () => {
  it('makes the bytes of OpenTelemetry’s serializer when spans of several resources and scopes arrive interleaved', () => {
    const spans = [spanOf('a1'), spanOf('b1', RESOURCE_B), spanOf('a2', RESOURCE_A, SCOPE_2), spanOf('a3'), spanOf('b2', RESOURCE_B, SCOPE_2), spanOf('a4', RESOURCE_A, SCOPE_2)];
    const batch = new SpanBatchEncoder();
    for (const span of spans) batch.add(span);
    expect(batch.count).toBe(6);
    expect(Buffer.from(batch.finish())).toEqual(reference(spans));
  });

  it('keeps a finished request intact while later batches reuse its working buffers', () => {
    const first = Array.from({ length: 50 }, (_, index) => spanOf(`first-${index}`));
    const second = Array.from({ length: 80 }, (_, index) => spanOf(`second-${index}`, RESOURCE_B, SCOPE_2));
    const encode = (spans: ReadableSpan[]): Uint8Array => {
      const batch = new SpanBatchEncoder();
      for (const span of spans) batch.add(span);
      return batch.finish();
    };
    const firstBytes = encode(first);
    const secondBytes = encode(second);
    const thirdBytes = encode(first);
    expect(Buffer.from(firstBytes)).toEqual(reference(first));
    expect(Buffer.from(secondBytes)).toEqual(reference(second));
    expect(Buffer.from(thirdBytes)).toEqual(reference(first));
  });

  it('leaves the batch as it was when a span cannot be encoded, and says why', () => {
    const good = [spanOf('first'), spanOf('second')];
    const broken = { ...spanOf('broken'), spanContext: () => { throw new Error('no context'); } } as ReadableSpan;
    const batch = new SpanBatchEncoder();
    batch.add(good[0]!);
    expect(() => batch.add(broken)).toThrow('no context');
    batch.add(good[1]!);
    expect(batch.count).toBe(2);
    expect(Buffer.from(batch.finish())).toEqual(reference(good));
  });
});

describe('BatchQueue with an exporter that takes encoded requests', () => {
  it('is how the OTLP exporter is taken over http/protobuf, and not over http/json', async () => {
    const base = { tracesEndpoint: 'http://127.0.0.1:9/v1/traces', headers: {}, timeoutMillis: 1000, compression: 'none' as const };
    const protobuf = createOtlpExporter({ ...base, protocol: 'http/protobuf' } as Parameters<typeof createOtlpExporter>[0]);
    const json = createOtlpExporter({ ...base, protocol: 'http/json' } as Parameters<typeof createOtlpExporter>[0]);
    expect(isEncodedSpanExporter(protobuf)).toBe(true);
    expect(isEncodedSpanExporter(json)).toBe(false);
    await Promise.all([protobuf.shutdown(), json.shutdown()]);
  });

  it('sends requests of at most maxBatchSize spans, in order, each the bytes of the serializer for its spans', async () => {
    const exporter = new KeepingEncodedExporter();
    const { counters, queue } = queueOf(exporter, 4);
    const spans = Array.from({ length: 10 }, (_, index) => spanOf(`span-${index}`));
    for (const span of spans) expect(queue.push(span as RedactedSpan)).toBe(true);
    await queue.forceFlush();
    expect(exporter.requests.map((request) => request.spanCount)).toEqual([4, 4, 2]);
    expect(exporter.requests.map((request) => Buffer.from(request.body))).toEqual([reference(spans.slice(0, 4)), reference(spans.slice(4, 8)), reference(spans.slice(8))]);
    expect(counters.snapshot(queue.queued)).toMatchObject({ exported: 10, dropped: 0, failed: 0, queued: 0 });
  });

  it('counts a span it cannot encode as dropped and exports the others', async () => {
    const exporter = new KeepingEncodedExporter();
    const { counters, queue } = queueOf(exporter, 10);
    const broken = { ...spanOf('broken'), spanContext: () => { throw new Error('no context'); } } as ReadableSpan;
    const [before, after] = [spanOf('before'), spanOf('after')];
    queue.push(before as RedactedSpan);
    expect(queue.push(broken as RedactedSpan)).toBe(false);
    queue.push(after as RedactedSpan);
    await queue.forceFlush();
    expect(exporter.requests.map((request) => Buffer.from(request.body))).toEqual([reference([before, after])]);
    expect(counters.snapshot(queue.queued)).toMatchObject({ exported: 2, dropped: 1, queued: 0 });
  });

  it('keeps its bound in spans: past maxQueueSize a span is dropped, not encoded', async () => {
    const exporter = new KeepingEncodedExporter();
    // the first three fill the queue (their batch counts until it is exported); the next two find it full
    const { counters, queue } = queueOf(exporter, 5, 3);
    const accepted = Array.from({ length: 5 }, (_, index) => queue.push(spanOf(`span-${index}`) as RedactedSpan));
    expect(accepted).toEqual([true, true, true, false, false]);
    await queue.forceFlush();
    expect(counters.snapshot(queue.queued)).toMatchObject({ exported: 3, dropped: 2, queued: 0 });
  });
});
