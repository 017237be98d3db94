// CPU time of automatic tracing per span, in one process and without Node-RED or sockets: the
// plugin's hook handlers driven with the events Node-RED passes for the benchmark flow
// (`http in` → 10 `change` → `http response`, 12 spans per request) over the real pipeline with
// its default redaction rules, every span encoded as OTLP/protobuf when it is queued (as with the
// OTLP exporter) and each finished request discarded. A second case times the connectors' record path alone (open, track, end).
// CPU time (process.cpuUsage), so the figure barely moves when other work shares the machine.
//
//   node --import tsx bench/node-red/span-cost.ts [--requests N] [--case all|plugin|records]
//
// --case picks one of the two cases (e.g. to profile it alone with node --cpu-prof).
import { parseArgs } from 'node:util';
import { createPipeline, createPropagator, loadConfig } from '@threadline/connectors';
import type { Pipeline } from '@threadline/connectors';
import { EncodedDiscardExporter } from '../encoded-discard-exporter';
import { NodeTracer } from '../../node-red-nodes/src/auto/node-tracer';
import type { RuntimeNode } from '../../node-red-nodes/src/auto/red-api';
import { machine } from '../machine';

const { values: flags } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, case: { type: 'string', default: 'all' } } });
const REQUESTS = Number(flags.requests);
if (!Number.isInteger(REQUESTS) || REQUESTS <= 0) throw new Error('--requests must be a positive integer');
if (!['all', 'plugin', 'records'].includes(flags.case)) throw new Error('--case is all, plugin or records');
const CHANGE_NODES = 10;
const SPANS_PER_REQUEST = CHANGE_NODES + 2;
const FLUSH_EVERY = 200; // requests between flushes, so the queue never fills
const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function setUp(): { pipeline: Pipeline; exporter: EncodedDiscardExporter; tracer: NodeTracer } {
  const config = loadConfig({
    env: {},
    overrides: { service: { name: 'span-cost' }, exporter: { protocol: 'http/protobuf', queue: { maxSize: 65_536, maxBatchSize: 512, scheduledDelayMillis: 1000 } } },
  });
  const exporter = new EncodedDiscardExporter();
  const pipeline = createPipeline(config, { exporter });
  const tracer = new NodeTracer(pipeline, createPropagator(config.propagation), { deadlineMs: 30_000, ignoreTypes: new Set() });
  return { pipeline, exporter, tracer };
}

const httpIn = { id: 'in', type: 'http in', z: 'bench', method: 'get', url: '/bench', _expectedDoneCount: 1 } as RuntimeNode;
const changes = Array.from({ length: CHANGE_NODES }, (_, i) => ({ id: `change${i + 1}`, type: 'change', z: 'bench', _expectedDoneCount: 1 }) as RuntimeNode);
const httpOut = { id: 'out', type: 'http response', z: 'bench', statusCode: '200', _expectedDoneCount: 1 } as RuntimeNode;

/** The hook events of one request through the flow, in Node-RED's order. */
function oneRequest(tracer: NodeTracer, n: number): void {
  const res = {};
  const msg: Record<string, unknown> = { _msgid: `m${n}`, req: { headers: { traceparent: CALLER, host: 'x' } }, res, payload: {} };
  let source = httpIn;
  for (const destination of [...changes, httpOut]) {
    tracer.preDeliver({ msg, source: { id: source.id, node: source }, destination: { id: destination.id, node: destination } });
    tracer.onReceive({ msg, destination: { id: destination.id, node: destination } });
    tracer.onComplete({ msg, node: { id: destination.id, node: destination } });
    source = destination;
  }
}

/** The record path alone: what the tracer asks of the pipeline for one request's spans (children parented by SpanContext, as the tracer does). */
function oneRecordRequest(pipeline: Pipeline): void {
  const root = pipeline.openRecord({ name: 'GET /bench', kind: 'server', parent: { traceparent: CALLER }, attributes: { 'node_red.node.id': 'in', 'node_red.node.type': 'http in', 'http.request.method': 'GET', 'http.route': '/bench' } });
  pipeline.trackRecord(root, 30_000);
  let parent = root;
  for (let i = 0; i <= CHANGE_NODES; i++) {
    const record = pipeline.openRecord({
      name: 'change',
      parent: { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.traceFlags },
      attributes: { 'node_red.node.id': 'c', 'node_red.node.type': 'change', 'node_red.flow.id': 'bench' },
    });
    pipeline.trackRecord(record, 30_000);
    parent = record;
    pipeline.endRecord(record);
  }
  pipeline.endRecord(root);
}

async function measure(label: string, run: (n: number) => void, pipeline: Pipeline, exporter: EncodedDiscardExporter): Promise<void> {
  const warm = Math.min(5000, REQUESTS);
  for (let n = 0; n < warm; n++) {
    run(n);
    if (n % FLUSH_EVERY === 0) await pipeline.forceFlush();
  }
  await pipeline.forceFlush();
  const before = exporter.spans;
  const dropped = pipeline.stats().dropped;
  const cpu = process.cpuUsage();
  for (let n = 0; n < REQUESTS; n++) {
    run(n);
    if (n % FLUSH_EVERY === FLUSH_EVERY - 1) await pipeline.forceFlush();
  }
  await pipeline.forceFlush();
  const used = process.cpuUsage(cpu);
  const spans = exporter.spans - before;
  const micros = used.user + used.system;
  console.log(
    `  ${label.padEnd(44)} ${(micros / spans).toFixed(2).padStart(6)} µs/span  (${spans} spans of ${REQUESTS * SPANS_PER_REQUEST} expected, dropped ${pipeline.stats().dropped - dropped})`,
  );
}

async function main(): Promise<void> {
  console.log(`Node-RED automatic tracing: CPU per span, in process\n  machine: ${machine()}\n  requests: ${REQUESTS} × ${SPANS_PER_REQUEST} spans\n`);
  if (flags.case !== 'records') {
    const traced = setUp();
    await measure('plugin hooks + record path + encoding', (n) => oneRequest(traced.tracer, n), traced.pipeline, traced.exporter);
    traced.tracer.stop();
    await traced.pipeline.shutdown();
  }
  if (flags.case !== 'plugin') {
    const records = setUp();
    records.tracer.stop();
    await measure('record path + encoding (no plugin)', () => oneRecordRequest(records.pipeline), records.pipeline, records.exporter);
    await records.pipeline.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
