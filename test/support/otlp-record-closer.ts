// Child process of test/integration/pipeline-record-across-processes.test.ts: a second process
// that receives a span record as JSON on stdin ({ record, endpoint, end }), closes it with its own
// pipeline, and prints the endRecord result and the pipeline's counters as one JSON line.
import { createPipeline } from '../../connectors/src/pipeline';
import type { EndRecordOptions } from '../../connectors/src/pipeline';
import type { SpanRecord } from '../../connectors/src/model';
import { pipelineConfig } from './otlp-pipeline-config';

interface Input {
  record: SpanRecord;
  endpoint: string;
  end?: EndRecordOptions;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const input = JSON.parse(await readStdin()) as Input;
  const pipeline = createPipeline(pipelineConfig({ service: { name: 'closer-process' }, exporter: { tracesEndpoint: input.endpoint } }));
  const result = pipeline.endRecord(input.record, input.end);
  await pipeline.shutdown();
  process.stdout.write(`${JSON.stringify({ result, stats: pipeline.stats() })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
