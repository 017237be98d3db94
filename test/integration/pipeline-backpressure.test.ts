// ACCEPTANCE: with the collector down, 100,000 spans neither throw nor grow memory past the queue
// bound; the dropped count is exact; export resumes when the collector comes back on the same port
// and the queued spans arrive. The pipeline runs in its own process (with --expose-gc) so its heap
// is measured alone.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { PipelineStats } from '../../connectors/src/pipeline';
import { startReceiver } from '../support/otlp-receiver-client';
import type { Receiver } from '../support/otlp-receiver-client';

jest.setTimeout(60_000);

const PRODUCE = 100_000;
const MAX_QUEUE = 1000;
/** Far below what 100,000 retained spans would take (well over 100 MB). */
const HEAP_GROWTH_LIMIT = 24 * 1024 * 1024;

interface Report {
  phase: string;
  stats: PipelineStats;
  heapGrowth?: number;
  threw?: boolean;
}

let receiver: Receiver | undefined;
let child: ChildProcessWithoutNullStreams | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await receiver?.stop();
});

test('a collector outage keeps memory bounded, counts drops exactly, and recovers', async () => {
  receiver = await startReceiver();
  await receiver.stop();

  child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, '..', 'support', 'otlp-backpressure-child.ts')], {
    cwd: path.resolve(__dirname, '..', '..'),
    env: { ...process.env, ENDPOINT: receiver.url, PRODUCE: String(PRODUCE), MAX_QUEUE: String(MAX_QUEUE) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const reports = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextReport = async (): Promise<Report> => {
    const { value, done } = await reports.next();
    if (done) throw new Error(`child ended without a report: ${stderr}`);
    return JSON.parse(value as string) as Report;
  };

  const produced = await nextReport();
  expect(produced.phase).toBe('produced');
  expect(produced.threw).toBe(false);
  // Nothing can be exported while the collector is down: the queue is full and every other span
  // was dropped and counted.
  expect(produced.stats).toMatchObject({ queued: MAX_QUEUE, exported: 0, failed: 0, dropped: PRODUCE - MAX_QUEUE });
  expect(produced.heapGrowth).toBeLessThan(HEAP_GROWTH_LIMIT);

  await receiver.restart();
  child.stdin.write('resume\n');
  const flushed = await nextReport();
  expect(flushed.stats).toMatchObject({ queued: 0, exported: MAX_QUEUE, failed: 0, dropped: PRODUCE - MAX_QUEUE });
  expect(flushed.stats.exportErrors).toBeGreaterThan(0);

  const spans = await receiver.waitForSpans(MAX_QUEUE);
  expect(spans).toHaveLength(MAX_QUEUE);
  expect(new Set(spans.map((span) => span.spanId)).size).toBe(MAX_QUEUE);
  // The queue kept the oldest spans: exactly the first MAX_QUEUE ended.
  const sequences = spans.map((span) => span.attributes.sequence as number).sort((a, b) => a - b);
  expect(sequences).toEqual(Array.from({ length: MAX_QUEUE }, (_, i) => i));
});
