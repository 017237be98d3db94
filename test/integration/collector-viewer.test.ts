// ACCEPTANCE (issue 7, item 2): the trace viewer served by the real built-in collector, driven in
// headless Chromium. A realistic trace (interceptor SERVER → Node-RED flow nodes → egress CLIENT →
// API, with one error span) and a pair of traces where a flow step dropped the context are sent
// through connectors' pipeline over OTLP; the test finds the trace in the list by searching, opens
// its waterfall and its flow view, follows a deep link, reads the audit page, checks that the page
// logged no console error, and keeps screenshots under test-artifacts/collector-viewer/.
import type { Context, Tracer } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { startCollector } from '../../collector/src/collector';
import type { Collector } from '../../collector/src/collector';
import type { TraceDetailResponse } from '../../collector/src/api/contract';
import { createPipeline } from '../../connectors/src/pipeline';
import type { Pipeline } from '../../connectors/src/pipeline';
import { pipelineConfig } from '../support/otlp-pipeline-config';

jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'collector-viewer');
/** Generous: the machine is shared; nothing here measures time. */
const WAIT_MS = 60_000;

let collector: Collector;
let browser: BrowserContext | undefined;
let userDataDir: string | undefined;
const pipelines: Pipeline[] = [];

// ---------------------------------------------------------------------------------------------
// The traces, sent as the interceptor, a Node-RED runtime and an inventory API would send them:
// one pipeline per service, spans with explicit times so the waterfall has a realistic shape.

interface SentTraces {
  orderTraceId: string;
  callerTraceId: string;
  detachedTraceId: string;
  workflowTraceId: string;
  gapTraceId: string;
}

function pipelineFor(service: string, protocol: 'http/protobuf' | 'http/json'): Pipeline {
  const pipeline = createPipeline(pipelineConfig({ service: { name: service, version: '1.0.0' }, exporter: { protocol, tracesEndpoint: collector.tracesUrl } }));
  pipelines.push(pipeline);
  return pipeline;
}

/** Starts a span at base + startMs under `parent` (a context) and ends it at base + endMs. */
function timedSpan(tracer: Tracer, parent: Context, base: number, name: string, kind: SpanKind, startMs: number, endMs: number, attributes: Attributes, finish?: (span: Span) => void): Context {
  const span = tracer.startSpan(name, { kind, attributes, startTime: base + startMs }, parent);
  finish?.(span);
  span.end(base + endMs);
  return trace.setSpan(parent, span);
}

function nodeRed(flowId: string, flowName: string, nodeId: string, nodeName: string, nodeType: string): Attributes {
  return {
    'node_red.flow.id': flowId,
    'node_red.flow.name': flowName,
    'node_red.node.id': nodeId,
    'node_red.node.name': nodeName,
    'node_red.node.type': nodeType,
  };
}

function n8n(workflowName: string, nodeName: string, nodeType: string): Attributes {
  return { 'n8n.workflow.id': 'wf-17', 'n8n.workflow.name': workflowName, 'n8n.node.name': nodeName, 'n8n.node.type': nodeType };
}

async function sendTraces(): Promise<SentTraces> {
  const interceptor = pipelineFor('threadline-interceptor', 'http/protobuf').getTracer('@threadline/interceptor', '0.1.0');
  const nodeRedTracer = pipelineFor('node-red', 'http/json').getTracer('@threadline/node-red', '0.1.0');
  const inventory = pipelineFor('inventory-api', 'http/protobuf').getTracer('inventory-http', '2.3.0');
  const n8nTracer = pipelineFor('n8n', 'http/json').getTracer('n8n-nodes-threadline', '0.1.0');
  const base = Date.now() - 5000;

  // caller → interceptor SERVER → Node-RED "Orders" → interceptor egress CLIENT → inventory API.
  const server = timedSpan(interceptor, ROOT_CONTEXT, base, 'POST /api/orders', SpanKind.SERVER, 0, 182, {
    'http.request.method': 'POST',
    'http.route': '/api/orders',
    'url.path': '/api/orders',
    'url.scheme': 'http',
    'server.address': '127.0.0.1',
    'server.port': 8080,
    'http.response.status_code': 409,
    'threadline.route': 'orders',
  });
  const orderTraceId = trace.getSpanContext(server)!.traceId;
  const httpIn = timedSpan(nodeRedTracer, server, base, 'http in: receive order', SpanKind.SERVER, 6, 176, { ...nodeRed('f1a2', 'Orders', 'n1', 'receive order', 'http in'), 'http.request.method': 'POST', 'url.path': '/api/orders' });
  timedSpan(nodeRedTracer, httpIn, base, 'function: validate order', SpanKind.INTERNAL, 9, 14.5, nodeRed('f1a2', 'Orders', 'n2', 'validate order', 'function'));
  timedSpan(nodeRedTracer, httpIn, base, 'change: set headers', SpanKind.INTERNAL, 15, 16.2, nodeRed('f1a2', 'Orders', 'n3', 'set headers', 'change'));
  const reserve = timedSpan(nodeRedTracer, httpIn, base, 'http request: reserve stock', SpanKind.CLIENT, 17, 161, { ...nodeRed('f1a2', 'Orders', 'n4', 'reserve stock', 'http request'), 'http.request.method': 'POST', 'http.response.status_code': 409 });
  const egress = timedSpan(interceptor, reserve, base, 'POST', SpanKind.CLIENT, 21, 158, {
    'http.request.method': 'POST',
    'url.full': 'http://inventory.local:9090/stock/reservations',
    'server.address': 'inventory.local',
    'server.port': 9090,
    'http.response.status_code': 409,
    'error.type': '409',
  }, (span) => {
    span.addEvent('exception', { 'exception.type': 'HttpError', 'exception.message': 'inventory answered 409 Conflict: sku-42 out of stock' }, base + 157);
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 409 Conflict' });
  });
  const api = timedSpan(inventory, egress, base, 'POST /stock/reservations', SpanKind.SERVER, 38, 152, {
    'http.request.method': 'POST',
    'http.route': '/stock/reservations',
    'server.address': 'inventory.local',
    'server.port': 9090,
    'http.response.status_code': 409,
  });
  timedSpan(inventory, api, base, 'SELECT stock', SpanKind.CLIENT, 52, 131, { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' });
  timedSpan(nodeRedTracer, httpIn, base, 'http response: reply', SpanKind.INTERNAL, 163, 171, { ...nodeRed('f1a2', 'Orders', 'n5', 'reply', 'http response'), 'http.response.status_code': 409 });

  // Flow "Returns", a second later: a Function node returns a new message without the trace
  // context, so the step after it starts a trace of its own (a detached root).
  const later = base + 1500;
  const receive = timedSpan(nodeRedTracer, ROOT_CONTEXT, later, 'http in: receive return', SpanKind.SERVER, 0, 24, nodeRed('c7d8', 'Returns', 'r1', 'receive return', 'http in'));
  const callerTraceId = trace.getSpanContext(receive)!.traceId;
  timedSpan(nodeRedTracer, receive, later, 'function: check return', SpanKind.INTERNAL, 4, 20, nodeRed('c7d8', 'Returns', 'r2', 'check return', 'function'));
  const refund = timedSpan(nodeRedTracer, ROOT_CONTEXT, later, 'http request: refund payment', SpanKind.CLIENT, 31, 88, nodeRed('c7d8', 'Returns', 'r3', 'refund payment', 'http request'));
  const detachedTraceId = trace.getSpanContext(refund)!.traceId;

  // An n8n workflow behind the interceptor, started by a webhook.
  const third = base + 3000;
  const webhook = timedSpan(interceptor, ROOT_CONTEXT, third, 'POST /webhook/refund-approvals', SpanKind.SERVER, 0, 412, {
    'http.request.method': 'POST',
    'http.route': '/webhook/refund-approvals',
    'server.address': '127.0.0.1',
    'server.port': 8081,
    'http.response.status_code': 200,
  });
  const workflowTraceId = trace.getSpanContext(webhook)!.traceId;
  const trigger = timedSpan(n8nTracer, webhook, third, 'Webhook', SpanKind.SERVER, 5, 405, n8n('Refund approvals', 'Webhook', 'n8n-nodes-base.webhook'));
  timedSpan(n8nTracer, trigger, third, 'Look up order', SpanKind.CLIENT, 12, 230, n8n('Refund approvals', 'Look up order', 'n8n-nodes-base.httpRequest'));
  timedSpan(n8nTracer, trigger, third, 'Amount over 100?', SpanKind.INTERNAL, 233, 236, n8n('Refund approvals', 'Amount over 100?', 'n8n-nodes-base.if'));
  timedSpan(n8nTracer, trigger, third, 'Ask a manager', SpanKind.CLIENT, 240, 398, n8n('Refund approvals', 'Ask a manager', 'n8n-nodes-base.slack'));

  // A span that is never ended (so never exported) between the interceptor and a Node-RED node:
  // the node's parent is missing.
  const fourth = base + 4000;
  const entry = timedSpan(interceptor, ROOT_CONTEXT, fourth, 'GET /api/stock', SpanKind.SERVER, 0, 60, { 'http.request.method': 'GET', 'http.route': '/api/stock', 'server.address': '127.0.0.1', 'server.port': 8082, 'http.response.status_code': 200 });
  const gapTraceId = trace.getSpanContext(entry)!.traceId;
  const unexported = nodeRedTracer.startSpan('http in: stock', { kind: SpanKind.SERVER, startTime: fourth + 3 }, entry);
  timedSpan(nodeRedTracer, trace.setSpan(entry, unexported), fourth, 'function: count stock', SpanKind.INTERNAL, 8, 30, nodeRed('e5f6', 'Stock', 's2', 'count stock', 'function'));

  await Promise.all(pipelines.map((pipeline) => pipeline.forceFlush()));
  return { orderTraceId, callerTraceId, detachedTraceId, workflowTraceId, gapTraceId };
}

// ---------------------------------------------------------------------------------------------
// Collector and browser helpers

async function getJson<T>(pathname: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${collector.url}${pathname}`);
  return { status: response.status, body: (await response.json()) as T };
}

/** Polls the collector until the trace has `spans` spans and the audit has judged it. */
async function waitForTrace(traceId: string, spans: number): Promise<TraceDetailResponse> {
  const deadline = Date.now() + WAIT_MS;
  let last = 'not stored yet';
  while (Date.now() < deadline) {
    const { status, body } = await getJson<TraceDetailResponse>(`/api/traces/${traceId}`);
    if (status === 200) {
      if (body.summary.spanCount === spans && body.summary.settled) return body;
      last = `${body.summary.spanCount} spans, settled ${body.summary.settled}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`trace ${traceId} did not arrive with ${spans} settled spans within ${WAIT_MS} ms (last: ${last})`);
}

function launchChromium(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get update && apt-get install -y chromium" (or set CHROMIUM_PATH)`);
  }
  userDataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-viewer-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 960 },
  });
}

/** Everything the page reports as wrong: console errors, uncaught exceptions, failed requests. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  return problems;
}

async function texts(page: Page, selector: string): Promise<string[]> {
  return (await page.locator(selector).allTextContents()).map((text) => text.trim());
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0); // no hover highlight left over from the last click
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  collector = await startCollector({ port: 0, settleMs: 300, onError: (message) => console.error(`collector: ${message}`) });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(pipelines.map((pipeline) => pipeline.shutdown()));
  await collector?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('the viewer finds the trace, shows its waterfall, its flow view and the audit, without console errors', async () => {
  const sent = await sendTraces();
  const order = await waitForTrace(sent.orderTraceId, 9);
  await waitForTrace(sent.callerTraceId, 2);
  await waitForTrace(sent.detachedTraceId, 1);
  await waitForTrace(sent.workflowTraceId, 5);
  await waitForTrace(sent.gapTraceId, 2);
  // What the page will show rests on the collector's own judgement of these traces.
  expect(order.summary.complete).toBe(true);
  expect(order.summary.errorCount).toBe(1);

  browser = await launchChromium();
  const page = browser.pages()[0] ?? (await browser.newPage());
  const problems = watchProblems(page);

  // The list: all three traces, then a search that narrows it to the order trace.
  await page.goto(`${collector.url}/`);
  const orderRow = page.locator(`a.trace-row[data-trace-id="${sent.orderTraceId}"]`);
  await orderRow.waitFor({ timeout: WAIT_MS });
  expect(await page.locator('a.trace-row').count()).toBe(5);
  const rowText = await orderRow.innerText();
  expect(rowText).toContain('POST /api/orders');
  expect(rowText).toContain('9 spans');
  expect(rowText).toContain('1 error');
  expect(rowText).toContain('complete');
  expect(rowText).toContain('Orders');
  await screenshot(page, '1-trace-list');

  await page.selectOption('#service', 'inventory-api');
  await page.selectOption('#status', 'error');
  await page.fill('#attrs', 'node_red.node.name="reserve stock"');
  await page.selectOption('#since', '15m');
  await page.click('form.search button[type=submit]');
  await page.waitForURL(/service=inventory-api/);
  await page.locator('.results-head h2', { hasText: '1 trace' }).waitFor({ timeout: WAIT_MS });
  expect(await page.locator('a.trace-row').count()).toBe(1);
  await screenshot(page, '2-trace-search');

  // The waterfall: every span in tree order, the error span in red, its details on demand.
  await orderRow.click();
  await page.waitForURL(new RegExp(`#/trace/${sent.orderTraceId}$`));
  await page.locator('.wf-rows > li').nth(8).waitFor({ timeout: WAIT_MS });
  expect(await texts(page, '.wf-rows .wf-span-name')).toEqual([
    'POST /api/orders',
    'http in: receive order',
    'function: validate order',
    'change: set headers',
    'http request: reserve stock',
    'POST',
    'POST /stock/reservations',
    'SELECT stock',
    'http response: reply',
  ]);
  expect(await texts(page, '.wf-row.is-error .wf-span-name')).toEqual(['POST']);
  expect(await page.locator('.trace-header').innerText()).toContain('complete');
  await page.locator('.wf-row.is-error .wf-name').click();
  const details = page.locator('.span-details');
  await details.waitFor();
  const detailText = await details.innerText();
  expect(detailText).toContain('HTTP 409 Conflict');
  expect(detailText).toContain('http.response.status_code');
  expect(detailText).toContain('exception');
  expect(detailText).toContain('sku-42 out of stock');
  expect(page.url()).toMatch(/\?span=[0-9a-f]{16}$/);
  await screenshot(page, '3-waterfall');

  // The flow view: the Node-RED flow under its name, its nodes in the order they ran.
  await page.click('a.tab[data-tab="flow"]');
  await page.waitForURL(new RegExp(`#/trace/${sent.orderTraceId}/flow`));
  await page.locator('.node-card').first().waitFor({ timeout: WAIT_MS });
  expect(await texts(page, '.journey-flow h3')).toEqual(['Orders']);
  expect(await texts(page, '.journey-flow .node-name')).toEqual(['receive order', 'validate order', 'set headers', 'reserve stock', 'reply']);
  expect(await texts(page, '.journey > li > .step-head h3')).toEqual(['threadline-interceptor', 'Orders', 'threadline-interceptor', 'inventory-api']);
  await page.locator('.node-card', { hasText: 'reserve stock' }).click();
  expect(await page.locator('.flow-details').innerText()).toContain('Orders › reserve stock (http request)');
  await screenshot(page, '4-flow-view');

  // A deep link, as a terminal prints it, to the trace that began where the context was lost.
  await page.goto(`${collector.url}/#/trace/${sent.detachedTraceId}/flow`);
  await page.locator('.node-card', { hasText: 'refund payment' }).waitFor({ timeout: WAIT_MS });
  expect(await page.locator('.audit-panel').innerText()).toContain('Context lost before this trace');
  expect(await page.locator('.node-card', { hasText: 'refund payment' }).innerText()).toContain('context lost before this step');
  // The last step that still had the context, from the caller's trace, is shown before the break.
  expect(await texts(page, '.ghost-card .node-name')).toEqual(['check return']);
  expect(await page.locator('.ghost-card').getAttribute('href')).toContain(`#/trace/${sent.callerTraceId}/flow`);
  expect(await page.locator('.trace-header').innerText()).toContain('incomplete');
  await screenshot(page, '5-context-lost');

  // The n8n workflow under its name, its nodes in the order they ran.
  await page.goto(`${collector.url}/#/trace/${sent.workflowTraceId}/flow`);
  await page.locator('.journey-flow.platform-n8n .node-card').first().waitFor({ timeout: WAIT_MS });
  expect(await texts(page, '.journey-flow.platform-n8n h3')).toEqual(['Refund approvals']);
  expect(await texts(page, '.journey-flow .node-name')).toEqual(['Webhook', 'Look up order', 'Amount over 100?', 'Ask a manager']);
  await screenshot(page, '6-n8n-flow-view');

  // A parent that never arrived: the orphan gets its own row, flagged, and the audit names it.
  await page.goto(`${collector.url}/#/trace/${sent.gapTraceId}`);
  await page.locator('.wf-item', { hasText: 'function: count stock' }).waitFor({ timeout: WAIT_MS });
  expect(await page.locator('.wf-item', { hasText: 'function: count stock' }).innerText()).toContain('parent missing');
  expect(await page.locator('.audit-panel').innerText()).toContain('Missing parent');
  await screenshot(page, '7-missing-parent');

  // The audit: two traces of five complete (the order and the workflow), and where the context was lost.
  await page.click('a[data-nav="audit"]');
  await page.locator('[data-testid="complete-share"]').waitFor({ timeout: WAIT_MS });
  expect(await page.locator('[data-testid="complete-share"]').innerText()).toBe('40 %');
  const breaks = await page.locator('section[aria-labelledby="breaks-heading"]').innerText();
  expect(breaks).toContain('node "refund payment"');
  expect(breaks).toContain('node "check return"');
  const incomplete = await page.locator('section[aria-labelledby="incomplete-heading"] tbody tr').allInnerTexts();
  expect(incomplete).toHaveLength(3);
  expect(incomplete.join('\n')).toContain('never arrived');
  await screenshot(page, '8-audit');

  // A narrow window (a laptop split screen): the same waterfall, laid out in one column.
  await page.setViewportSize({ width: 760, height: 900 });
  await page.goto(`${collector.url}/#/trace/${sent.orderTraceId}`);
  await page.locator('.wf-rows > li').nth(8).waitFor({ timeout: WAIT_MS });
  await screenshot(page, '9-waterfall-narrow');

  expect(problems).toEqual([]);
});

test('with a token, the viewer takes it from the address, keeps it out of the address bar and sends it as a header', async () => {
  const token = 'viewer-test-token';
  const guarded = await startCollector({ port: 0, token, settleMs: 300 });
  try {
    browser ??= await launchChromium();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${guarded.url}/#token=${token}`);
    await page.locator('.results-head h2', { hasText: '0 traces' }).waitFor({ timeout: WAIT_MS });
    expect(new URL(page.url()).hash).toBe('#/');
    expect(await page.locator('#store-stats').innerText()).toContain('0 traces');
    // Nothing judged yet: the audit says so instead of showing the API's share of 1 as 100 %.
    await page.click('a[data-nav="audit"]');
    await page.locator('[data-testid="complete-share"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="complete-share"]').innerText()).toBe('–');
    expect(await page.locator('.audit-summary').innerText()).toContain('no trace judged yet');
    // A trace the collector does not hold: a page that says so (the API's 404 is the one problem).
    const missing = '0123456789abcdef0123456789abcdef';
    await page.goto(`${guarded.url}/#/trace/${missing}`);
    await page.locator('h1', { hasText: 'Trace not found' }).waitFor({ timeout: WAIT_MS });
    expect(problems.filter((problem) => !problem.includes('404'))).toEqual([]);
    await page.close();
  } finally {
    await guarded.close();
  }
});
