// `threadline check` as a real process against the collector process and an instrumented order
// system: it passes when the trace arrives complete through every expected step, and fails with
// exit code 1 naming the step when one drops the context.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runThreadline, startCollectorProcess, type CollectorProcess } from './collector-harness';
import { startOrdersApp } from './collector-orders-app';

jest.setTimeout(120_000);

const EXPECTATION = `
version: 1
name: order through the Orders flow
request:
  method: POST
  expectStatus: 200
services: [threadline-check, node-red, stock-api]
steps:
  - { platform: node-red, flow: Orders, node: validate order }
  - { platform: node-red, flow: Orders, node: reserve stock }
  - { name: stock API, service: stock-api, span: "GET /stock/:sku" }
`;

let folder: string;
let expectFile: string;
let collector: CollectorProcess;
beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'threadline-check-'));
  expectFile = path.join(folder, 'orders.expect.yaml');
  writeFileSync(expectFile, EXPECTATION);
  collector = await startCollectorProcess(['--settle', '500ms']);
});
afterAll(async () => {
  await collector.stop();
  rmSync(folder, { recursive: true, force: true });
});

async function check(entryUrl: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = runThreadline(['check', '--url', entryUrl, '--collector', collector.url, '--expect', expectFile, '--timeout', '20s', ...extra]);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

test('passes when the trace arrives complete through every expected step', async () => {
  const app = await startOrdersApp(collector.tracesUrl);
  try {
    const run = await check(app.entryUrl);
    expect(run.stdout).toMatch(/^threadline check "order through the Orders flow": PASS$/m);
    expect(run.stdout).toMatch(/complete {3}yes/);
    expect(run.stdout).toMatch(/services {3}threadline-check → node-red → stock-api/);
    expect(run.stdout).toMatch(/ok {3}node-red › flow "Orders" › node "reserve stock"/);
    expect(run.stderr).toMatch(/sent POST .* with trace [0-9a-f]{32}/);
    expect(run.code).toBe(0);
  } finally {
    await app.close();
  }
});

test('fails with exit code 1, naming the step that dropped the context', async () => {
  const app = await startOrdersApp(collector.tracesUrl, { dropContextAt: 'reserve stock' });
  try {
    const run = await check(app.entryUrl, ['--json']);
    const result = JSON.parse(run.stdout) as { ok: boolean; complete: boolean; problems: string[]; steps: { expected: string; found: boolean; inDetachedTrace?: string }[] };
    expect(result.ok).toBe(false);
    expect(result.complete).toBe(false);
    expect(result.problems[0]).toMatch(/^context dropped after node-red flow "Orders" › node "validate order": node-red flow "Orders" › node "reserve stock" started a new trace [0-9a-f]{32}$/);
    expect(result.steps).toEqual([
      expect.objectContaining({ expected: 'node-red › flow "Orders" › node "validate order"', found: true }),
      expect.objectContaining({ expected: 'node-red › flow "Orders" › node "reserve stock"', found: false, inDetachedTrace: expect.stringMatching(/^[0-9a-f]{32}$/) }),
      expect.objectContaining({ expected: 'stock API', found: false }),
    ]);
    expect(run.code).toBe(1);
  } finally {
    await app.close();
  }
});

test('a wrong command line or expectation file is refused before anything is sent', async () => {
  const usage = runThreadline(['check', '--url', 'not a url', '--collector', collector.url]);
  expect(await usage.exited).toBe(2);
  expect(usage.stderr()).toMatch(/--url: "not a url" is not an absolute http:\/\/ or https:\/\/ URL/);
  const badFile = path.join(folder, 'bad.yaml');
  writeFileSync(badFile, 'steps: [{ platform: zapier }]\n');
  const bad = runThreadline(['check', '--url', 'http://127.0.0.1:9/x', '--collector', collector.url, '--expect', badFile]);
  expect(await bad.exited).toBe(1);
  expect(bad.stderr()).toMatch(/bad\.yaml:1:\d+ steps\[0\]\.platform/);
});

test('an entry URL that cannot be reached fails at once, saying so', async () => {
  const cli = runThreadline(['check', '--url', 'http://127.0.0.1:9/api/orders', '--collector', collector.url, '--timeout', '60s']);
  const started = Date.now();
  expect(await cli.exited).toBe(1);
  // Well before the 60 s timeout: the check's own spans arrived and settled, nothing else can come.
  expect(Date.now() - started).toBeLessThan(45_000);
  expect(cli.stdout()).toMatch(/the request to http:\/\/127\.0\.0\.1:9\/api\/orders failed: fetch failed/);
});
