// ACCEPTANCE: a span record opened in this process, passed as JSON to a second process and closed
// there, arrives at the collector as one span with the original ids and start time.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { createPipeline } from '../../connectors/src/pipeline';
import type { EndRecordResult, Pipeline, PipelineStats } from '../../connectors/src/pipeline';
import type { SpanRecord } from '../../connectors/src/model';
import { pipelineConfig } from '../support/otlp-pipeline-config';
import { startReceiver } from '../support/otlp-receiver-client';
import type { Receiver } from '../support/otlp-receiver-client';

jest.setTimeout(30_000);

const CLOSER = path.join(__dirname, '..', 'support', 'otlp-record-closer.ts');
const REPO_ROOT = path.resolve(__dirname, '..', '..');

let receiver: Receiver;
let opener: Pipeline;

beforeAll(async () => {
  receiver = await startReceiver();
  opener = createPipeline(pipelineConfig({ service: { name: 'opener-process' }, exporter: { tracesEndpoint: receiver.url } }));
});

afterAll(async () => {
  await opener.shutdown();
  await receiver.stop();
});

async function closeInOtherProcess(record: SpanRecord, end?: object): Promise<{ result: EndRecordResult; stats: PipelineStats }> {
  const child = execFile(process.execPath, ['--import', 'tsx', CLOSER], { cwd: REPO_ROOT, timeout: 20_000 });
  const output = new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`closer exited with ${code}: ${stderr}`))));
  });
  child.stdin?.end(JSON.stringify({ record, endpoint: receiver.url, end }));
  return JSON.parse(await output) as { result: EndRecordResult; stats: PipelineStats };
}

test('a record closed in another process is exported once with its original ids and start time', async () => {
  const caller = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03', tracestate: 'vendor=abc' };
  const record = opener.openRecord({
    name: 'order approval',
    kind: 'server',
    parent: caller,
    attributes: { 'workflow.step': 'approve' },
    startTime: [1_700_000_000, 123_456_789],
    scope: { name: 'n8n-nodes-threadline', version: '0.1.0' },
  });
  // The record is plain data: it survives JSON, as it would on an n8n item or a queue message.
  const transported = JSON.parse(JSON.stringify(record)) as SpanRecord;

  const { result, stats } = await closeInOtherProcess(transported, { attributes: { 'workflow.outcome': 'approved' }, endTime: '1700000002000000000' });
  expect(result).toEqual({ outcome: 'queued' });
  expect(stats).toMatchObject({ exported: 1, queued: 0, dropped: 0, failed: 0 });

  const spans = await receiver.waitForSpans(1);
  expect(spans).toHaveLength(1);
  const [span] = spans;
  expect(span).toMatchObject({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: record.spanId,
    parentSpanId: 'b7ad6b7169203331',
    name: 'order approval',
    kind: 2,
    startTimeUnixNano: '1700000000123456789',
    endTimeUnixNano: '1700000002000000000',
    attributes: { 'workflow.step': 'approve', 'workflow.outcome': 'approved' },
    scope: { name: 'n8n-nodes-threadline', version: '0.1.0' },
    traceState: 'vendor=abc',
  });
  // Sampled and random flags travel with the record.
  expect(span.flags & 0xff).toBe(0x03);
  expect(span.resource['service.name']).toBe('closer-process');
  // Nothing was exported by the process that opened it.
  expect(opener.stats().exported).toBe(0);
});

test('an invalid record handed to another process is refused with the reason, nothing exported', async () => {
  await receiver.clear();
  const record = opener.openRecord({ name: 'broken' });
  const { result } = await closeInOtherProcess({ ...record, spanId: 'not-a-span-id' });
  expect(result.outcome).toBe('invalid');
  expect(result.problems).toEqual([expect.stringContaining('record.spanId')]);
  expect(await receiver.spans()).toEqual([]);
});
