// ACCEPTANCE 2 (and 3) on Node-RED 5.x, on Node 22 from the npm registry (Node-RED 5 refuses
// Node 20). Node 22 and node-red 5.0.7 are installed on demand into the platform cache outside
// the repository (test/support/node-red-install.ts) and reused by later runs. The package under
// test is packed (`npm pack`, as published) and installed into a fresh Node-RED user folder; the
// suites are the ones the 4.x tests run (test/node-red/manual-flow-scenario.ts and
// auto-tracing-scenario.ts).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureNodeRed5, NODE_RED_5_NODE_MAJOR, NODE_RED_5_VERSION } from '../support/node-red-install';
import type { NodeRedRuntime } from '../support/node-red-runtime';
import { startNodeRed } from '../support/node-red-runtime';
import { describeAutoTracing } from '../node-red/auto-tracing-scenario';
import { describeManualFlow } from '../node-red/manual-flow-scenario';
import { builtPackageDir } from '../node-red/support';

// first run: Node 22 and Node-RED 5 are downloaded and installed (a few minutes)
jest.setTimeout(20 * 60_000);

/** The package as published: packed by its own script, installed from the tarball. */
function installPackedPackage(userDir: string, nodeBinary: string): void {
  const packageDir = builtPackageDir();
  const tarball = execFileSync(process.execPath, [path.join(packageDir, 'scripts', 'pack.js'), userDir], { encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-user', private: true }, null, 2));
  // npm runs under Node 22, as a user of that runtime would install from the palette
  const env = { ...process.env, PATH: `${path.dirname(nodeBinary)}${path.delimiter}${process.env.PATH ?? ''}` };
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball], { cwd: userDir, env, stdio: 'pipe' });
  if (!fs.existsSync(path.join(userDir, 'node_modules', '@threadline', 'node-red', 'dist', 'auto', 'plugin.js'))) {
    throw new Error(`the packed package did not install into ${userDir}`);
  }
}

const userDirs: string[] = [];

afterAll(() => {
  for (const dir of userDirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function startNodeRed5(settings: Record<string, unknown> = {}): Promise<NodeRedRuntime> {
  const { nodeBinary, nodeRedDir } = await ensureNodeRed5();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-node-red-5-'));
  userDirs.push(userDir);
  installPackedPackage(userDir, nodeBinary);
  const red = await startNodeRed({ nodeBinary, nodeRedDir, userDir, settings });
  const version = await red.waitForOutput(/Node-RED version: v?5\./, 1000).catch(() => undefined);
  if (version === undefined) {
    await red.stop();
    throw new Error(`expected Node-RED 5.x, got: ${/Node-RED version: \S+/.exec(red.output())?.[0] ?? 'no version line'}`);
  }
  return red;
}

describeManualFlow(`Node-RED ${NODE_RED_5_VERSION} on Node ${NODE_RED_5_NODE_MAJOR}: a flow with the trace nodes between two interceptor routes`, () => startNodeRed5());
describeAutoTracing(`Node-RED ${NODE_RED_5_VERSION} on Node ${NODE_RED_5_NODE_MAJOR}: automatic tracing, switched on in settings.js`, startNodeRed5);
