// The `npm start` demo (issue 7), run from the repository as users run it (`demo/main.ts`, its own
// process, a real headless Node-RED, the interceptor, the stock API, the built-in collector):
// - acceptance 1: with --once it comes up, sends its burst and exits 0, and its traces arrive
//   complete at a collector process: caller → interceptor → Node-RED nodes → egress → API;
// - acceptance 3: the audit reports 100 % complete for the demo, and with --broken-step (a
//   "validate order" step that drops the context) it shows the gap at that step;
// - acceptance 4: `threadline check` passes against the demo, and fails naming that step against
//   the broken one;
// - Ctrl-C stops everything: the demo exits 0 and no process it started is left.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ApiSpan, AuditReport, TraceDetailResponse, TraceListResponse } from '@threadline/collector';
import { stopChild } from '../support/child-process';
import { REPO_ROOT, runThreadline, startCollectorProcess } from './collector-harness';
import type { CollectorProcess } from './collector-harness';

jest.setTimeout(240_000);

const DEMO = path.join(REPO_ROOT, 'demo', 'main.ts');
const EXPECTATION = path.join('samples', 'check', 'demo.expect.yaml');
const ORDERS = 5;
const DEMO_FLOW_LABEL = 'Threadline demo: orders';
/** Failure bounds only (a loaded machine is slow); nothing is asserted about how fast it is. */
const UP_TIMEOUT_MS = 150_000;
const STOP_TIMEOUT_MS = 60_000;
const RUNNING = /running; Ctrl-C stops everything/;

interface DemoProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

const started: DemoProcess[] = [];

function startDemo(args: string[]): DemoProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', DEMO, ...args], { cwd: REPO_ROOT, env: { ...process.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const demo = { child, stdout: () => stdout, stderr: () => stderr, exited };
  started.push(demo);
  return demo;
}

/** The first match of `pattern` in the demo's output, once it is printed; fails if the demo exits first. */
async function printed(demo: DemoProcess, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + UP_TIMEOUT_MS;
  let exitCode: number | null | undefined;
  void demo.exited.then((code) => (exitCode = code));
  for (;;) {
    const match = pattern.exec(demo.stdout());
    if (match !== null) return match;
    if (exitCode !== undefined || Date.now() > deadline) {
      throw new Error(`the demo ${exitCode !== undefined ? `exited (${exitCode})` : 'is still running'} without printing ${pattern}\n--- stdout ---\n${demo.stdout()}\n--- stderr ---\n${demo.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid` (Linux /proc). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ")"
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const [child, parent] of parents) {
      if (parent === current && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function nodeRedPidOf(demo: DemoProcess): number {
  const match = /Node-RED http:\S+ \(pid (\d+)/.exec(demo.stdout());
  if (match === null) throw new Error(`the demo did not print Node-RED's pid\n${demo.stdout()}`);
  return Number(match[1]);
}

/** Ctrl-C: the demo stops everything it started and exits 0. */
async function interrupt(demo: DemoProcess): Promise<void> {
  const below = descendantsOf(demo.child.pid!);
  expect(below).toContain(nodeRedPidOf(demo));
  demo.child.kill('SIGINT');
  await expect(demo.exited).resolves.toBe(0);
  expect(demo.stdout()).toMatch(/▸ stopped\n$/);
  expect(below.filter(isAlive)).toEqual([]);
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The chain from the root down to `span`, as "service KIND" (and the Node-RED node, if any). */
function pathTo(span: ApiSpan, spans: ApiSpan[]): string[] {
  const byId = new Map(spans.map((each) => [each.spanId, each]));
  const chain: string[] = [];
  for (let current: ApiSpan | undefined = span; current !== undefined; current = current.parentSpanId === undefined ? undefined : byId.get(current.parentSpanId)) {
    chain.unshift(`${current.service} ${current.kind.toUpperCase()}${current.flow === undefined ? '' : ` [${current.flow.nodeName}]`}`);
  }
  return chain;
}

afterEach(async () => {
  // a failed test must not leave the demo or its Node-RED running
  for (const demo of started.splice(0)) {
    if (demo.child.exitCode !== null || demo.child.signalCode !== null) continue;
    const below = descendantsOf(demo.child.pid!);
    await stopChild(demo.child, STOP_TIMEOUT_MS);
    for (const pid of below.filter(isAlive)) process.kill(pid, 'SIGKILL');
  }
});

describe('npm start: the demo', () => {
  let collector: CollectorProcess | undefined;

  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
  });

  test('--once comes up, sends its orders, prints a trace tree and exits 0; each trace arrives complete: caller → interceptor → Node-RED nodes → egress → API', async () => {
    collector = await startCollectorProcess();
    const demo = startDemo(['--once', '--collector', collector.url]);
    await expect(demo.exited).resolves.toBe(0);
    expect(demo.stderr()).toBe('');
    const output = demo.stdout();
    expect(output).toContain(`using the collector at ${collector.url}`);
    expect(output.match(/answered 200, trace [0-9a-f]{32}/g)).toHaveLength(ORDERS);
    expect(output).toContain(`completeness audit: ${ORDERS} of ${ORDERS} traces complete (100 %)`);
    expect(output).toMatch(new RegExp(`${collector.url.replace(/[.]/g, '\\.')}/#/trace/[0-9a-f]{32}/flow`));
    expect(output).toMatch(/SERVER POST \/reservations +stock-api/);
    expect(isAlive(nodeRedPidOf(demo))).toBe(false);

    const list = await collector.get<TraceListResponse>('/api/traces?service=demo-caller');
    expect(list.traces).toHaveLength(ORDERS);
    for (const summary of list.traces) {
      const detail = await collector.get<TraceDetailResponse>(`/api/traces/${summary.traceId}`);
      const { spans, audit } = detail;
      expect(audit).toMatchObject({ complete: true, missingParents: [], contextBreaks: [] });
      expect(spans.filter((span) => span.parentSpanId === undefined).map((span) => span.service)).toEqual(['demo-caller']);
      const api = spans.find((span) => span.service === 'stock-api' && span.kind === 'server');
      expect(api).toBeDefined();
      const chain = pathTo(api!, spans);
      // caller → interceptor ingress → Node-RED's nodes → the http request node → interceptor egress → API
      expect(chain.slice(0, 3)).toEqual(['demo-caller INTERNAL', 'demo-caller CLIENT', 'interceptor SERVER']);
      expect(chain.slice(-3)).toEqual(['node-red CLIENT [reserve stock]', 'interceptor CLIENT', 'stock-api SERVER']);
      expect(chain.length).toBeGreaterThan(6);
      expect(chain.slice(3, -3).every((hop) => hop.startsWith('node-red '))).toBe(true);
      const steps = detail.flowView.flows.flatMap((flow) => flow.steps.map((step) => step.step.nodeName));
      expect(steps).toEqual(expect.arrayContaining(['order received', "continue caller's trace", 'open order span', 'validate order', 'inject trace', 'reserve stock', 'close order span', 'confirm order']));
    }
    const audit = await collector.get<AuditReport>('/api/audit');
    expect(audit).toMatchObject({ traceCount: ORDERS, completeCount: ORDERS, completeShare: 1, pendingCount: 0, contextBreaks: [] });
  });

  test('running: the audit reports 100 % complete, `threadline check` passes, Ctrl-C stops everything', async () => {
    const demo = startDemo(['--port', '0']);
    await printed(demo, RUNNING);
    const collectorUrl = (await printed(demo, /collector listening on (http:\S+)/))[1]!;
    const entryUrl = (await printed(demo, /sending \d+ orders to (http:\S+)/))[1]!;
    expect(demo.stdout()).toContain(`completeness audit: ${ORDERS} of ${ORDERS} traces complete (100 %)`);
    const audit = await getJson<AuditReport>(`${collectorUrl}/api/audit`);
    expect(audit).toMatchObject({ traceCount: ORDERS, completeShare: 1, contextBreaks: [] });

    const check = runThreadline(['check', '--url', entryUrl, '--collector', collectorUrl, '--expect', EXPECTATION]);
    const code = await check.exited;
    expect({ code, stdout: check.stdout() }).toMatchObject({ code: 0, stdout: expect.stringContaining('threadline check "an order through the demo flow": PASS') });
    expect(check.stdout()).toContain('ok   node-red › flow "threadline-demo" › node "reserve stock"');

    await interrupt(demo);
  });

  test('--broken-step: the audit shows the gap at "validate order" and `threadline check` fails naming it', async () => {
    const demo = startDemo(['--port', '0', '--broken-step']);
    await printed(demo, RUNNING);
    const collectorUrl = (await printed(demo, /collector listening on (http:\S+)/))[1]!;
    const entryUrl = (await printed(demo, /sending \d+ orders to (http:\S+)/))[1]!;
    const firstTrace = (await printed(demo, /order #1 .* trace ([0-9a-f]{32})/))[1]!;
    // spans name the flow by its tab label, so the audit's text does too
    expect(demo.stdout()).toContain(`context lost at node-red flow "${DEMO_FLOW_LABEL}" › node "validate order", right after node-red flow "${DEMO_FLOW_LABEL}" › node "open order span" (${ORDERS} traces)`);

    // every order's trace broke at the same step; the rest of the flow ran in a trace of its own
    const audit = await getJson<AuditReport>(`${collectorUrl}/api/audit`);
    expect(audit.completeShare).toBe(0);
    expect(audit.contextBreaks).toHaveLength(ORDERS);
    for (const found of audit.contextBreaks) {
      expect(found.at.step).toMatchObject({ platform: 'node-red', flowId: 'threadline-demo', nodeName: 'validate order' });
      expect(found.from.step?.nodeName).toBe('open order span');
    }
    const first = await getJson<TraceDetailResponse>(`${collectorUrl}/api/traces/${firstTrace}`);
    expect(first.audit.complete).toBe(false);
    const lost = first.audit.contextBreaks.find((found) => found.role === 'caller');
    expect(lost?.at.step?.nodeName).toBe('validate order');
    const detached = await getJson<TraceDetailResponse>(`${collectorUrl}/api/traces/${lost!.at.traceId}`);
    expect(detached.summary.services).toEqual(['node-red', 'interceptor', 'stock-api']);

    const check = runThreadline(['check', '--url', entryUrl, '--collector', collectorUrl, '--expect', EXPECTATION]);
    const code = await check.exited;
    expect({ code, stdout: check.stdout() }).toMatchObject({ code: 1, stdout: expect.stringContaining('threadline check "an order through the demo flow": FAIL') });
    expect(check.stdout()).toMatch(/context dropped after node-red flow "(threadline-demo|Threadline demo: orders)" › node "open order span": node-red flow "(threadline-demo|Threadline demo: orders)" › node "validate order" started a new trace [0-9a-f]{32}/);

    await interrupt(demo);
  });
});
