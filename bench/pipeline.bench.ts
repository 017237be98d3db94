// Span pipeline throughput: N spans ended through createPipeline, timed until the OTLP receiver
// process (test/support/otlp-receiver.ts) has stored them all. The baseline is the stock
// OpenTelemetry SDK path (BatchSpanProcessor + OTLPTraceExporter, http/protobuf) to the same
// receiver in the same run. The receiver decodes in JavaScript in its own process, so the figures
// are end-to-end on one machine, not the pipeline's ceiling.
import type { Tracer } from '@opentelemetry/api';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OtlpProtocol } from '../connectors/src/config/types';
import { createPipeline } from '../connectors/src/pipeline';
import { pipelineConfig } from '../test/support/otlp-pipeline-config';
import { startReceiver } from '../test/support/otlp-receiver-client';
import type { Receiver } from '../test/support/otlp-receiver-client';

const SPANS = 20_000;
const WARMUP_SPANS = 2_000;
const BATCH = 512;

export interface PipelineBenchRow {
  name: string;
  spansPerSec: number;
  note?: string;
}

interface Target {
  tracer: Tracer;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

function endSpans(tracer: Tracer, count: number): void {
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan('GET /orders/:id', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/:id',
        'url.full': `https://shop.example/orders/${i}?page=2&sig=abc`,
        'http.response.status_code': 200,
        'server.address': 'shop.example',
      },
    });
    span.end();
  }
}

async function waitForCount(receiver: Receiver, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if ((await receiver.stats()).spans >= count) return;
    if (Date.now() > deadline) throw new Error(`receiver did not get ${count} spans within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Spans per second from the first span started to the last span stored by the receiver. */
async function measure(receiver: Receiver, makeTarget: () => Target): Promise<number> {
  const warm = makeTarget();
  endSpans(warm.tracer, WARMUP_SPANS);
  await warm.flush();
  await waitForCount(receiver, WARMUP_SPANS);
  await warm.shutdown();
  await receiver.clear();

  const target = makeTarget();
  const started = process.hrtime.bigint();
  endSpans(target.tracer, SPANS);
  await target.flush();
  await waitForCount(receiver, SPANS);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await target.shutdown();
  await receiver.clear();
  return SPANS / seconds;
}

function threadline(receiver: Receiver, protocol: OtlpProtocol): () => Target {
  return () => {
    const pipeline = createPipeline(
      pipelineConfig({
        exporter: { protocol, tracesEndpoint: receiver.url, timeoutMillis: 10_000, queue: { maxSize: SPANS, maxBatchSize: BATCH, scheduledDelayMillis: 5 } },
      }),
    );
    return { tracer: pipeline.tracer, flush: () => pipeline.forceFlush(), shutdown: () => pipeline.shutdown() };
  };
}

function stockSdk(receiver: Receiver): () => Target {
  return () => {
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: receiver.url, concurrencyLimit: Math.ceil(SPANS / BATCH) + 1 }), { maxQueueSize: SPANS, maxExportBatchSize: BATCH, scheduledDelayMillis: 5 })],
    });
    return { tracer: provider.getTracer('bench'), flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
  };
}

export async function runPipelineBench(): Promise<PipelineBenchRow[]> {
  const receiver = await startReceiver();
  try {
    const note = `${SPANS} spans, batches of ${BATCH}, timed until the receiver stored them`;
    return [
      { name: 'pipeline -> receiver, http/protobuf', spansPerSec: await measure(receiver, threadline(receiver, 'http/protobuf')), note },
      { name: 'pipeline -> receiver, http/json', spansPerSec: await measure(receiver, threadline(receiver, 'http/json')), note },
      { name: 'baseline: OTel BatchSpanProcessor + OTLP exporter, http/protobuf', spansPerSec: await measure(receiver, stockSdk(receiver)), note: 'stock SDK: flush sends all batches at once, no redaction, no retry budget' },
    ];
  } finally {
    await receiver.stop();
  }
}
