// The one way tests and benchmarks start a real, headless Node-RED. Typical use:
//
//   const red = await startNodeRed({ nodesDir: packageDir, settings: { threadline: { ... } } });
//   await red.deploy([{ id: 'in1', type: 'http in', url: '/hello', method: 'get', x: 100, y: 100, wires: [[...]] }, ...]);
//   await fetch(`${red.apiUrl}/hello`);            // http in url /hello is served at /api/hello
//   await red.stop();                              // always, e.g. in afterAll
//
// The harness writes settings.js into a fresh temporary user folder (or the one given), starts
// `node <nodeRedDir>/red.js -u <userDir>` in its own process group on a port the OS picks
// (uiPort 0; the port is read from the "now running" log line), and is ready once
// GET /admin/flows answers. stop() sends SIGTERM to the group, so Node-RED runs its close handlers
// (exporter flushes), and SIGKILL if it is still there after a grace period.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const DEPLOY_TIMEOUT_MS = 20_000;
const LOG_KEEP_CHARS = 200_000;
/** Logged (at info, the harness default) each time flows have started, and when node types are missing. */
const STARTED_FLOWS = /\[info\] Started flows/;
const MISSING_TYPES = /Waiting for missing types/;

async function waitFor(condition: () => boolean, timeoutMs: number, failure: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${failure} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A flow node as the admin API takes it (flow nodes need x and y; config nodes have neither). */
export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface NodeRedOptions {
  /** The node binary to run Node-RED with (default: the one running this process). */
  nodeBinary?: string;
  /** Options for node itself, before red.js (e.g. --expose-gc, --max-old-space-size=256). */
  nodeArgs?: string[];
  /** Folder of the node-red package, the one holding red.js (default: the repository's dev dependency). */
  nodeRedDir?: string;
  /** User folder (default: a fresh temporary folder, removed by stop()). settings.js is (over)written in it. */
  userDir?: string;
  /** Folders Node-RED scans for extra nodes and plugins (a package folder with a `node-red` section works). */
  nodesDir?: string | string[];
  /** Merged over the harness defaults and written as settings.js; must be JSON-serialisable. */
  settings?: Record<string, unknown>;
  /** Extra environment for the Node-RED process (on top of this process's environment). */
  env?: Record<string, string | undefined>;
  /** true: echo Node-RED's output to stderr; a function: receive each output line. */
  log?: boolean | ((line: string) => void);
  /** How long to wait for the runtime to answer (default 30 s). */
  startTimeoutMs?: number;
}

export interface NodeRedRuntime {
  /** e.g. http://127.0.0.1:41234 */
  readonly baseUrl: string;
  /** Admin API root, e.g. http://127.0.0.1:41234/admin */
  readonly adminUrl: string;
  /** Root of `http in` endpoints, e.g. http://127.0.0.1:41234/api */
  readonly apiUrl: string;
  readonly port: number;
  readonly userDir: string;
  /** Process id of the Node-RED process (for /proc/<pid>/status). */
  readonly pid: number;
  /**
   * Full deploy of these flow nodes through the admin API; resolves once the flows have started
   * (seen in the log, so keep the console log level at info or finer), rejects when node types are missing.
   */
  deploy(flowNodes: FlowNode[]): Promise<void>;
  /** Node-RED's output so far (the last 200,000 characters). */
  output(): string;
  /** Resolves when a line of output matches `pattern`; rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Stops the process group (SIGTERM, then SIGKILL) and removes a temporary user folder. Idempotent. */
  stop(): Promise<void>;
}

/** The harness defaults, per the notes on running Node-RED headless. */
function defaultSettings(nodesDir: string[]): Record<string, unknown> {
  return {
    uiHost: '127.0.0.1',
    uiPort: 0,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: '/admin',
    httpNodeRoot: '/api',
    editorTheme: { tours: false },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...(nodesDir.length > 0 ? { nodesDir } : {}),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects; arrays and other values of `over` replace those of `base`. */
function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeSettings(current, value) : value;
  }
  return merged;
}

function defaultNodeRedDir(): string {
  return path.dirname(require.resolve('node-red/package.json'));
}

interface HttpAnswer {
  status: number;
  text: string;
}

function request(url: string, method: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `signal` to the whole process group of `child` (it was spawned detached). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, 'SIGKILL'); // leftovers of the group, if any
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      signalGroup(child, 'SIGKILL');
      resolve();
    });
    signalGroup(child, 'SIGTERM');
  });
}

/** Starts Node-RED and resolves once its admin API answers. */
export async function startNodeRed(options: NodeRedOptions = {}): Promise<NodeRedRuntime> {
  const nodeRedDir = options.nodeRedDir ?? defaultNodeRedDir();
  const redScript = path.join(nodeRedDir, 'red.js');
  if (!fs.existsSync(redScript)) throw new Error(`startNodeRed: no red.js in nodeRedDir ${nodeRedDir}`);
  const ownUserDir = options.userDir === undefined;
  const userDir = options.userDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-node-red-'));
  fs.mkdirSync(userDir, { recursive: true });
  const nodesDir = options.nodesDir === undefined ? [] : Array.isArray(options.nodesDir) ? options.nodesDir : [options.nodesDir];
  const settings = mergeSettings(defaultSettings(nodesDir), options.settings ?? {});
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);

  const child = spawn(options.nodeBinary ?? process.execPath, [...(options.nodeArgs ?? []), redScript, '-u', userDir], {
    cwd: userDir,
    detached: true, // its own process group, so stop() reaches anything it starts
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });

  let output = '';
  let partial = '';
  let flowStarts = 0;
  let missingTypes: string | undefined;
  const lineWaiters = new Set<(line: string) => void>();
  const echo = options.log === true ? (line: string) => process.stderr.write(`[node-red] ${line}\n`) : typeof options.log === 'function' ? options.log : undefined;
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-LOG_KEEP_CHARS);
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (STARTED_FLOWS.test(line)) flowStarts++;
      else if (MISSING_TYPES.test(line)) missingTypes = line;
      echo?.(line);
      for (const waiter of [...lineWaiters]) waiter(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const waitForOutput = (pattern: RegExp, timeoutMs = 10_000): Promise<string> => {
    const seen = output.split('\n').find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        lineWaiters.delete(waiter);
        reject(new Error(`Node-RED output did not match ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (line: string): void => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        lineWaiters.delete(waiter);
        resolve(line);
      };
      lineWaiters.add(waiter);
    });
  };

  // if this process ends without stop() (a crashed test run), take the runtime down with it
  const killOnExit = (): void => signalGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    await stopGroup(child);
    if (ownUserDir) fs.rmSync(userDir, { recursive: true, force: true });
  };

  try {
    const port = await waitForPort(child, waitForOutput, options.startTimeoutMs ?? START_TIMEOUT_MS);
    const baseUrl = `http://127.0.0.1:${port}`;
    const adminUrl = `${baseUrl}${String(settings.httpAdminRoot).replace(/\/$/, '')}`;
    const apiUrl = `${baseUrl}${String(settings.httpNodeRoot).replace(/\/$/, '')}`;
    await waitForAdmin(child, adminUrl, options.startTimeoutMs ?? START_TIMEOUT_MS);
    // the flows on file start after the server listens; a deploy must not race them
    await waitFor(() => flowStarts > 0 || missingTypes !== undefined, options.startTimeoutMs ?? START_TIMEOUT_MS, 'the initial flows did not start');
    return {
      baseUrl,
      adminUrl,
      apiUrl,
      port,
      userDir,
      pid: child.pid ?? -1,
      deploy: async (flowNodes) => {
        // POST /admin/flows answers before the new flows run: wait for the next "Started flows"
        const startedBefore = flowStarts;
        missingTypes = undefined;
        await deploy(adminUrl, flowNodes);
        await waitFor(() => {
          if (missingTypes !== undefined) throw new Error(`deploy: ${missingTypes.trim()}`);
          return flowStarts > startedBefore;
        }, DEPLOY_TIMEOUT_MS, 'deploy: the flows did not start');
      },
      output: () => output,
      waitForOutput,
      stop,
    };
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`startNodeRed: ${reason}\n--- Node-RED output ---\n${output.slice(-4000)}`, { cause: error });
  }
}

/** Reads the port from "Server now running at http://127.0.0.1:<port>/admin/". */
async function waitForPort(child: ChildProcess, waitForOutput: NodeRedRuntime['waitForOutput'], timeoutMs: number): Promise<number> {
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`Node-RED exited (code ${code}, signal ${signal}) before it listened`))));
  const line = await Promise.race([waitForOutput(/now running at https?:\/\//i, timeoutMs), exited]);
  const match = /https?:\/\/[^\s/]+:(\d+)/.exec(line);
  if (!match) throw new Error(`no port in the line "${line}"`);
  return Number(match[1]);
}

async function waitForAdmin(child: ChildProcess, adminUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('Node-RED exited before its admin API answered');
    try {
      const answer = await request(`${adminUrl}/flows`, 'GET', { accept: 'application/json' });
      if (answer.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`GET ${adminUrl}/flows did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function deploy(adminUrl: string, flowNodes: FlowNode[]): Promise<void> {
  const answer = await request(
    `${adminUrl}/flows`,
    'POST',
    { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
    JSON.stringify(flowNodes),
  );
  if (answer.status !== 204 && answer.status !== 200) throw new Error(`deploy: POST ${adminUrl}/flows answered ${answer.status} ${answer.text}`);
}
