// Acceptance 5 of the Node-RED issue: the packed package (npm pack) installs into a fresh user
// folder, a real Node-RED 4 (the repository's dev dependency) loads it, and the editor, opened in
// headless Chromium, shows the Threadline palette category and opens each node's edit dialog
// without console errors; a screenshot is kept under test-artifacts/. The example flow shipped in
// the package is deployed and a request through it arrives at a real OTLP receiver as one trace.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { FlowNode, NodeRedRuntime } from '../support/node-red-runtime';
import { startNodeRed } from '../support/node-red-runtime';
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';

jest.setTimeout(180_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_DIR = path.join(REPO_ROOT, 'node-red-nodes');
const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PACKAGE_NAME = '@threadline/node-red';
const NODE_TYPES = ['threadline-trace-in', 'threadline-span-start', 'threadline-span-end', 'threadline-inject', 'threadline-baggage', 'threadline-event'];
// The same checks on another Node-RED, e.g. 5.x from the platform cache with a Node 22 binary.
const OTHER_NODE_RED_DIR = process.env.THREADLINE_NODE_RED_DIR;
const OTHER_NODE_BINARY = process.env.THREADLINE_NODE_BINARY;
const NODE_RED_VERSION = (JSON.parse(fs.readFileSync(path.join(OTHER_NODE_RED_DIR ?? path.dirname(require.resolve('node-red/package.json')), 'package.json'), 'utf8')) as { version: string }).version;
const CALLER_TRACE_ID = '5a1c0f7e2d3b4a69887766554433aa11';
const CALLER = `00-${CALLER_TRACE_ID}-1122334455667788-01`;

/** The example flow of the package, pointed at the receiver and at this runtime's own port. */
function exampleFlow(packageRoot: string, receiver: Receiver, port: number): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(path.join(packageRoot, 'examples', 'trace-an-api-flow.json'), 'utf8')) as FlowNode[];
  for (const node of flow) {
    if (node.type === 'threadline-config') Object.assign(node, { endpoint: receiver.url, protocol: 'http/json' });
    if (node.type === 'http request') node.url = String(node.url).replace('127.0.0.1:1880', `127.0.0.1:${port}`);
  }
  return flow;
}

function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe(`the packed Node-RED package in a real Node-RED ${NODE_RED_VERSION} and its editor`, () => {
  let work: string;
  let userDir: string;
  let installedRoot: string;
  let receiver: Receiver;
  let red: NodeRedRuntime;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(PACKAGE_DIR, 'dist', 'shared.js'))) throw new Error('node-red-nodes/dist is missing: run npm run build first');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-nr-package-'));
    const tarball = execFileSync(process.execPath, [path.join(PACKAGE_DIR, 'scripts', 'pack.js'), work], { encoding: 'utf8' }).trim();
    userDir = path.join(work, 'user');
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-user', private: true }));
    // As the palette manager does: npm install of the tarball into the user folder.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', tarball], { cwd: userDir, stdio: 'pipe' });
    installedRoot = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
    receiver = await startReceiver();
    red = await startNodeRed({ userDir, ...(OTHER_NODE_RED_DIR ? { nodeRedDir: OTHER_NODE_RED_DIR } : {}), ...(OTHER_NODE_BINARY ? { nodeBinary: OTHER_NODE_BINARY } : {}) });
  });

  afterAll(async () => {
    await browser?.close();
    await red?.stop();
    await receiver?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('installs without dependencies on workspace packages and Node-RED loads every node and the plugin', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(installedRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(fs.existsSync(path.join(userDir, 'node_modules', '@threadline', 'connectors'))).toBe(false);
    const answer = await fetch(`${red.adminUrl}/nodes`, { headers: { accept: 'application/json' } });
    const sets = (await answer.json()) as { module: string; types: string[]; enabled: boolean; err?: string }[];
    const ours = sets.filter((set) => set.module === PACKAGE_NAME);
    expect(ours.filter((set) => set.err !== undefined).map((set) => set.err)).toEqual([]);
    expect(ours.flatMap((set) => set.types).sort()).toEqual(['threadline-config', ...NODE_TYPES].sort());
    const plugins = (await (await fetch(`${red.adminUrl}/plugins`, { headers: { accept: 'application/json' } })).json()) as { module: string; plugins?: { id: string }[] }[];
    const pluginIds = plugins.filter((set) => set.module === PACKAGE_NAME).flatMap((set) => (set.plugins ?? []).map((plugin) => plugin.id));
    expect(pluginIds).toEqual([expect.stringMatching(/^threadline-auto/)]);
  });

  it('the example flow runs: one trace from the caller through both endpoints, with only the allowed baggage', async () => {
    await red.deploy(exampleFlow(installedRoot, receiver, red.port));
    const answer = await post(`${red.apiUrl}/orders`, { traceparent: CALLER, baggage: 'tenant=acme,secret=x' }, JSON.stringify({ id: 7 }));
    expect(answer.status).toBe(200);
    expect(answer.headers.traceparent).toBeUndefined(); // nothing injected leaks into the response
    const spans = await receiver.waitForSpans((all) => all.filter((span) => span.traceId === CALLER_TRACE_ID).length >= 3, 30_000);
    const trace = spans.filter((span) => span.traceId === CALLER_TRACE_ID);
    const byName = (name: string): ReceivedSpan[] => trace.filter((span) => span.name === name);
    const [entry] = byName('POST /orders');
    const [reserve] = byName('reserve stock');
    const [inventory] = byName('POST /inventory');
    expect(entry.parentSpanId).toBe('1122334455667788');
    expect(reserve.parentSpanId).toBe(entry.spanId);
    expect(inventory.parentSpanId).toBe(reserve.spanId); // inject → http request carried the open span
    expect(entry.attributes['baggage.tenant']).toBe('acme');
    expect(inventory.attributes['baggage.tenant']).toBe('acme'); // forwarded to an internal host
    expect(trace.some((span) => 'baggage.secret' in span.attributes)).toBe(false);
    expect(reserve.events.map((event) => event.name)).toEqual(['order.checked']);
    expect(reserve.resource['service.name']).toBe('node-red-orders');
  });

  it('the editor shows the Threadline palette category and opens every edit dialog without console errors', async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });

    await page.goto(`${red.adminUrl}/`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#red-ui-palette-container-threadline', { state: 'attached', timeout: 60_000 });
    // browser-side code is passed as text: the repository's typecheck has no DOM types
    await page.waitForFunction(`(() => { const p = document.querySelector('#red-ui-loading-progress'); return p === null || p.offsetParent === null; })()`, undefined, { timeout: 60_000 });

    const header = await page.textContent('#red-ui-palette-header-threadline');
    expect(header?.trim()).toBe('threadline');
    for (const type of NODE_TYPES) {
      expect(await page.locator(`#red-ui-palette-container-threadline .red-ui-palette-node[data-palette-type="${type}"]`).count()).toBe(1);
    }

    // Each deployed node of the example, and the config node, in its edit dialog.
    const nodes = (await page.evaluate(`(() => {
      const found = [];
      RED.nodes.eachNode((n) => { if (n.type.startsWith('threadline-')) found.push({ id: n.id, type: n.type }); });
      RED.nodes.eachConfig((n) => { if (n.type === 'threadline-config') found.push({ id: n.id, type: n.type }); });
      return found;
    })()`)) as { id: string; type: string }[];
    expect([...new Set(nodes.map((node) => node.type))].sort()).toEqual(['threadline-config', ...NODE_TYPES].sort());
    const seen = new Set<string>();
    for (const node of nodes) {
      if (seen.has(node.type)) continue;
      seen.add(node.type);
      await page.evaluate(
        node.type === 'threadline-config'
          ? `RED.editor.editConfig('', ${JSON.stringify(node.type)}, ${JSON.stringify(node.id)})`
          : `RED.editor.edit(RED.nodes.node(${JSON.stringify(node.id)}))`,
      );
      const tray = page.locator('.red-ui-tray').last();
      await tray.locator('.form-row').first().waitFor({ state: 'visible', timeout: 15_000 });
      // the help of the node is in the sidebar's help tab, in the help style: a summary paragraph first
      const help = String(await page.evaluate(`document.querySelector('script[data-help-name="${node.type}"]')?.innerHTML ?? ''`));
      expect({ type: node.type, help: /^\s*<p>[^<]+/.test(help) && /<h3>Details<\/h3>/.test(help) }).toEqual({ type: node.type, help: true });
      if (node.type === 'threadline-trace-in') {
        fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS_DIR, `node-red-${NODE_RED_VERSION}-editor-trace-in-dialog.png`) });
      }
      await tray.locator('button:has-text("Cancel")').first().click();
      await tray.waitFor({ state: 'detached', timeout: 15_000 });
    }

    await page.locator('#red-ui-palette-container-threadline').scrollIntoViewIfNeeded();
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const screenshot = path.join(ARTIFACTS_DIR, `node-red-${NODE_RED_VERSION}-editor.png`);
    await page.screenshot({ path: screenshot });
    expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });
});
