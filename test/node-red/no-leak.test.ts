// ACCEPTANCE 4: no leak. 10,000 messages go through a flow whose end never runs (the last node
// never calls done()). With automatic tracing on, each leaves an open span behind; after the
// deadline every one of them has arrived at the OTLP receiver process marked incomplete, and the
// Node-RED process's heap (measured inside it after a full GC, by a probe node) is back near its
// baseline.
import * as path from 'node:path';
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';
import type { FlowNode, NodeRedRuntime } from '../support/node-red-runtime';
import { startNodeRed } from '../support/node-red-runtime';
import { builtPackageDir, httpCall, nodeIdOf } from './support';

jest.setTimeout(120_000);

const MESSAGES = 10_000;
const WARM_UP = 1_000;
const DEADLINE_MS = 6_000;
const MB = 1024 * 1024;

const at = (x: number, y = 100): { x: number; y: number } => ({ x, y });

const FLOW: FlowNode[] = [
  { id: 'tab', type: 'tab', label: 'never ends' },
  { id: 'flood', type: 'http in', z: 'tab', url: '/flood', method: 'post', ...at(100), wires: [['emit', 'ack']] },
  { id: 'ack', type: 'http response', z: 'tab', statusCode: '202', ...at(200, 50), wires: [] },
  {
    id: 'emit',
    type: 'function',
    z: 'tab',
    name: 'emit n',
    func: 'const n = Number(msg.req.query.n) || 0;\nfor (let i = 0; i < n; i++) node.send({ payload: i, padding: "x".repeat(256) });\nreturn null;',
    outputs: 1,
    ...at(200),
    wires: [['work']],
  },
  { id: 'work', type: 'change', z: 'tab', name: 'work', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'work', tot: 'str' }], ...at(300), wires: [['sink']] },
  // mentions node.done() so the runtime does not complete it for us, and never calls it
  { id: 'sink', type: 'function', z: 'tab', name: 'never ends', func: 'if (msg.never === true) { node.done(); }\nreturn null;', outputs: 1, ...at(400), wires: [[]] },
  { id: 'memoryIn', type: 'http in', z: 'tab', url: '/memory', method: 'get', ...at(100, 300), wires: [['probe']] },
  { id: 'probe', type: 'memory-probe', z: 'tab', ...at(200, 300), wires: [['memoryOut']] },
  { id: 'memoryOut', type: 'http response', z: 'tab', statusCode: '200', ...at(300, 300), wires: [] },
];

let receiver: Receiver;
let red: NodeRedRuntime;

beforeAll(async () => {
  receiver = await startReceiver();
  red = await startNodeRed({
    nodeArgs: ['--expose-gc'],
    nodesDir: [builtPackageDir(), path.join(__dirname, 'fixtures', 'memory-probe')],
    settings: {
      threadline: {
        autoTrace: {
          enabled: true,
          deadlineMs: DEADLINE_MS,
          // the probe's own requests are not part of what is measured
          ignoreTypes: ['memory-probe'],
          config: {
            service: { name: 'never-ends' },
            exporter: { tracesEndpoint: receiver.url, protocol: 'http/json', queue: { maxSize: 4 * MESSAGES, maxBatchSize: 2000, scheduledDelayMillis: 100 } },
          },
        },
      },
    },
  });
  await red.deploy(FLOW);
});

afterAll(async () => {
  await red?.stop();
  await receiver?.stop();
});

async function heapUsed(): Promise<number> {
  const answer = await httpCall(`${red.apiUrl}/memory`);
  const usage = JSON.parse(answer.body) as { heapUsed: number; gc: boolean };
  expect(usage.gc).toBe(true);
  return usage.heapUsed;
}

async function flood(n: number): Promise<void> {
  const answer = await httpCall(`${red.apiUrl}/flood?n=${n}`, { method: 'POST' });
  expect(answer.status).toBe(202);
}

const incompleteSinkSpans = (spans: ReceivedSpan[]): ReceivedSpan[] =>
  spans.filter((span) => nodeIdOf(span) === 'sink' && span.attributes['threadline.span.incomplete'] === true);

test(`${MESSAGES} messages whose end never runs: spans arrive incomplete after the deadline, memory back near baseline`, async () => {
  // a small first round warms up code paths; once it has expired, the baseline is taken
  await flood(WARM_UP);
  await receiver.waitForSpans((spans) => incompleteSinkSpans(spans).length >= WARM_UP, DEADLINE_MS + 30_000);
  await receiver.clear();
  const baseline = await heapUsed();

  await flood(MESSAGES);
  await receiver.waitForSpans((spans) => spans.filter((span) => nodeIdOf(span) === 'work').length >= MESSAGES, 30_000);
  const loaded = await heapUsed();

  const spans = await receiver.waitForSpans((all) => incompleteSinkSpans(all).length >= MESSAGES, DEADLINE_MS + 30_000);
  const sink = incompleteSinkSpans(spans);
  expect(sink).toHaveLength(MESSAGES);
  expect(new Set(sink.map((span) => span.spanId)).size).toBe(MESSAGES);
  for (const span of sink.slice(0, 50)) expect(span.status.code).toBe(2);
  // everything else ended normally and nothing was ended twice
  expect(spans.filter((span) => nodeIdOf(span) === 'work' && span.attributes['threadline.span.incomplete'] !== true)).toHaveLength(MESSAGES);

  // after the sweep the process has dropped the open spans and the _msgid map entries
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = await heapUsed();
  const grown = loaded - baseline;
  console.log(
    `heap used: baseline ${(baseline / MB).toFixed(1)} MB, with ${MESSAGES} open spans ${(loaded / MB).toFixed(1)} MB, after the deadline ${(after / MB).toFixed(1)} MB`,
  );
  // open spans cost memory while they are open (the measurement is meaningful) ...
  expect(grown).toBeGreaterThan(1 * MB);
  // ... and after the deadline they are gone again. What remains is well under what the open
  // spans held: mostly the sweeper's bounded memory of abandoned span ids (at most 10,000, kept so
  // that a late end cannot export a span twice)
  expect(after - baseline).toBeLessThan(Math.max(1 * MB, 0.5 * grown));

  // a second round leaves nothing more behind: memory does not accumulate
  await receiver.clear();
  await flood(MESSAGES);
  await receiver.waitForSpans((all) => incompleteSinkSpans(all).length >= MESSAGES, DEADLINE_MS + 30_000);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const afterSecond = await heapUsed();
  console.log(`heap used after a second round: ${(afterSecond / MB).toFixed(1)} MB`);
  expect(afterSecond - after).toBeLessThan(1 * MB);
});
