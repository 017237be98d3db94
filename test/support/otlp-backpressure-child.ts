// Child process of test/integration/pipeline-backpressure.test.ts, started with --expose-gc so
// heap use can be measured without the test runner's own allocations. It ends PRODUCE spans while
// the collector at ENDPOINT is down, reports counters and heap growth as one JSON line, then waits
// for "resume" on stdin (the test has brought the collector back), flushes and reports again.
import { createInterface } from 'node:readline';
import { createPipeline } from '../../connectors/src/pipeline';
import { pipelineConfig } from './otlp-pipeline-config';

const endpoint = process.env.ENDPOINT ?? '';
const produce = Number(process.env.PRODUCE ?? '100000');
const maxSize = Number(process.env.MAX_QUEUE ?? '1000');

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const pipeline = createPipeline(
    pipelineConfig({
      exporter: {
        tracesEndpoint: endpoint,
        timeoutMillis: 300,
        queue: { maxSize, maxBatchSize: 200, scheduledDelayMillis: 10, exportTimeoutMillis: 120_000 },
        retry: { maxAttempts: 100_000, initialBackoffMillis: 20, maxBackoffMillis: 150 },
      },
    }),
  );
  const heapBefore = collect();
  let threw = false;
  for (let i = 0; i < produce; i++) {
    try {
      const span = pipeline.tracer.startSpan('backpressure');
      span.setAttribute('sequence', i);
      span.setAttribute('payload', 'x'.repeat(64));
      span.end();
    } catch {
      threw = true;
    }
  }
  const produced = pipeline.stats();
  const heapAfter = collect();
  process.stdout.write(`${JSON.stringify({ phase: 'produced', stats: produced, heapGrowth: heapAfter - heapBefore, threw })}\n`);

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === 'resume') break;
  }
  await pipeline.forceFlush();
  process.stdout.write(`${JSON.stringify({ phase: 'flushed', stats: pipeline.stats() })}\n`);
  await pipeline.shutdown();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
