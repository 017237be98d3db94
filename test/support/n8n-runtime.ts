// A real n8n, headless, for the platform suites: a fresh user folder per run (its own SQLite
// database), workflows and credentials imported with n8n's command line, then `n8n start` on a
// loopback port, ready once /healthz answers and the workflow's production webhook is registered.
//
//   const n8n = await prepareN8n({ install: await ensureN8n1(), customExtensions: dir });
//   await n8n.importCredentials([...]); await n8n.importWorkflow(workflow);
//   await n8n.start(); await n8n.waitForWebhook('POST', 'orders');
//   ... http://127.0.0.1:<n8n.port>/webhook/orders ...
//   await n8n.stop();                  // always, e.g. in afterAll; removes the user folder
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { stopChild } from './child-process';
import type { N8nInstall } from './n8n-install';

const START_TIMEOUT_MS = 240_000; // first start runs every database migration; slow on a loaded machine
const CLI_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 15_000;
const OUTPUT_TAIL_LINES = 200;

export interface N8nOptions {
  install: N8nInstall;
  /** A folder with a built node package (n8n loads it as CUSTOM.<node name>). */
  customExtensions?: string;
  /** Extra variables (e.g. N8N_OTEL_*); they win over the defaults set here. */
  env?: Record<string, string>;
  /** Where n8n's output lines go as they come (default: kept only for error messages). */
  log?: (line: string) => void;
}

/** A workflow as n8n exports it; `id` is required so it can be activated by id. */
export interface N8nWorkflow {
  id: string;
  name: string;
  nodes: unknown[];
  connections: Record<string, unknown>;
  [field: string]: unknown;
}

/** A credential to import; `data` is plain and encrypted by the import command. */
export interface N8nCredential {
  id: string;
  name: string;
  type: string;
  data: Record<string, unknown>;
}

export interface N8nProcess {
  readonly port: number;
  readonly baseUrl: string;
  readonly userFolder: string;
  /** Imports a workflow with `n8n import:workflow` and activates (1.x) or publishes (2.x) it. */
  importWorkflow(workflow: N8nWorkflow, options?: { activate?: boolean }): Promise<void>;
  importCredentials(credentials: N8nCredential[]): Promise<void>;
  /** Runs `n8n <args>` against this user folder and returns its output. */
  cli(args: string[]): Promise<string>;
  /**
   * The custom data n8n saved for its executions (`$execution.customData`, what the execution
   * list filters on), read from n8n's own SQLite database with n8n's sqlite3 module.
   */
  executionCustomData(): Promise<ExecutionCustomData[]>;
  /** `n8n start`; resolves when /healthz answers 200. */
  start(): Promise<void>;
  /** Resolves once the production webhook `path` answers for `method` (the workflow is active). */
  waitForWebhook(method: string, webhookPath: string, timeoutMs?: number): Promise<void>;
  /** The last lines n8n printed (for failure messages). */
  output(): string;
  /** Stops n8n (SIGTERM, then SIGKILL) and removes the user folder. Idempotent. */
  stop(): Promise<void>;
}

export interface ExecutionCustomData {
  executionId: string;
  key: string;
  value: string;
}

// Run with n8n's Node and its sqlite3 module: argv = [sqlite3 module folder, database file].
const READ_CUSTOM_DATA_SCRIPT = `
const sqlite3 = require(process.argv[1]);
const db = new sqlite3.Database(process.argv[2], sqlite3.OPEN_READONLY, (error) => {
  if (error) { console.error(error.message); process.exit(1); }
  db.all('SELECT executionId, key, value FROM execution_metadata ORDER BY id', (queryError, rows) => {
    if (queryError) { console.error(queryError.message); process.exit(1); }
    console.log(JSON.stringify(rows.map((row) => ({ executionId: String(row.executionId), key: row.key, value: row.value }))));
    db.close();
  });
});`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function n8nEnvironment(options: N8nOptions, userFolder: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Only what a process needs from ours: no OTEL_*, N8N_* or npm_* of the test run leaks in.
  for (const key of ['HOME', 'LANG', 'TZ', 'TMPDIR', 'SystemRoot']) if (process.env[key] !== undefined) env[key] = process.env[key];
  env.PATH = [path.dirname(options.install.nodeBinary), process.env.PATH ?? ''].join(path.delimiter);
  Object.assign(env, {
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    WEBHOOK_URL: `http://127.0.0.1:${port}/`,
    N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_RUNNERS_ENABLED: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_SECURE_COOKIE: 'false',
    DB_SQLITE_POOL_SIZE: '2',
    GENERIC_TIMEZONE: 'UTC',
    N8N_LOG_LEVEL: 'info',
    N8N_LOG_OUTPUT: 'console',
    N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
    NODE_ENV: 'production',
  });
  // 1.x: the default expression engine needs isolated-vm, which does not build on Node 20.
  if (options.install.major === 1) env.N8N_EXPRESSION_ENGINE = 'legacy';
  if (options.customExtensions) env.N8N_CUSTOM_EXTENSIONS = options.customExtensions;
  return { ...env, ...options.env };
}

/** Creates the user folder and environment of one n8n; nothing runs until cli() or start(). */
export async function prepareN8n(options: N8nOptions): Promise<N8nProcess> {
  if (!fs.existsSync(options.install.bin)) throw new Error(`n8n not found at ${options.install.bin}`);
  if (options.customExtensions && !fs.existsSync(options.customExtensions)) throw new Error(`N8N_CUSTOM_EXTENSIONS folder ${options.customExtensions} does not exist (build the node package first)`);
  const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-n8n-'));
  const port = await freePort();
  const env = n8nEnvironment(options, userFolder, port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const tail: string[] = [];
  const remember = (source: string) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(`${source}${line}`);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      options.log?.(`${source}${line}`);
    }
  };
  let server: ChildProcessWithoutNullStreams | undefined;
  let stopped = false;

  const cli = (args: string[]): Promise<string> => runWithNode([options.install.bin, ...args], args.join(' '));
  const runWithNode = (argv: string[], label: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn(options.install.nodeBinary, argv, { cwd: userFolder, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      const collect = (chunk: Buffer): void => {
        text += chunk.toString('utf8');
        remember(`[n8n ${label.split(' ')[0]}] `)(chunk);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`n8n ${label}: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(text);
        else reject(new Error(`n8n ${label} failed (${signal ?? `exit ${code}`}):\n${text.slice(-4000)}`));
      });
    });

  const writeTemp = (name: string, content: unknown): string => {
    const file = path.join(userFolder, name);
    fs.writeFileSync(file, JSON.stringify(content, null, 2));
    return file;
  };

  return {
    port,
    baseUrl,
    userFolder,
    cli,
    async executionCustomData() {
      const sqlite = path.join(options.install.dir, 'node_modules', 'sqlite3');
      const database = path.join(userFolder, '.n8n', 'database.sqlite');
      const text = await runWithNode(['-e', READ_CUSTOM_DATA_SCRIPT, sqlite, database], 'custom data query');
      return JSON.parse(text.trim().split('\n').pop() ?? '[]') as ExecutionCustomData[];
    },
    async importWorkflow(workflow, { activate = true } = {}) {
      if (!/^[A-Za-z0-9]{1,36}$/.test(workflow.id)) throw new Error(`workflow id "${workflow.id}" must be letters and digits only`);
      const file = writeTemp(`workflow-${workflow.id}.json`, { active: false, settings: {}, ...workflow });
      await cli(['import:workflow', `--input=${file}`]);
      if (!activate) return;
      if (options.install.major === 1) await cli(['update:workflow', `--id=${workflow.id}`, '--active=true']);
      else await cli(['publish:workflow', `--id=${workflow.id}`]);
    },
    async importCredentials(credentials) {
      const file = writeTemp('credentials.json', credentials);
      await cli(['import:credentials', `--input=${file}`]);
    },
    async start() {
      if (server) throw new Error('n8n already started');
      server = spawn(options.install.nodeBinary, [options.install.bin, 'start'], { cwd: userFolder, env, stdio: ['pipe', 'pipe', 'pipe'] });
      server.stdout.on('data', remember(''));
      server.stderr.on('data', remember(''));
      const child = server;
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`n8n exited while starting (${child.signalCode ?? `exit ${child.exitCode}`}):\n${tail.join('\n')}`);
        if ((await httpStatus(`${baseUrl}/healthz`)) === 200) return;
        if (Date.now() > deadline) throw new Error(`n8n did not answer ${baseUrl}/healthz within ${START_TIMEOUT_MS / 1000} s:\n${tail.join('\n')}`);
        await sleep(500);
      }
    },
    async waitForWebhook(method, webhookPath, timeoutMs = 60_000) {
      // Probing with another method executes nothing. Until the routes are mounted express answers
      // "Cannot GET", until the workflow is active n8n says "not registered"; once it is, n8n
      // answers "not registered for GET requests. Did you mean to make a POST request?".
      const upper = method.toUpperCase();
      const probe = upper === 'GET' ? 'DELETE' : 'GET';
      const url = `${baseUrl}/webhook/${webhookPath}`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!server || server.exitCode !== null || server.signalCode !== null) throw new Error(`n8n is not running:\n${tail.slice(-40).join('\n')}`);
        const answer = await httpText(url, probe);
        if (answer !== undefined && answer.text.includes(`make a ${upper} request`)) return;
        if (Date.now() > deadline) throw new Error(`webhook ${upper} ${url} not registered within ${timeoutMs / 1000} s (last answer: ${answer?.status} ${answer?.text.slice(0, 300)}):\n${tail.slice(-40).join('\n')}`);
        await sleep(500);
      }
    },
    output: () => tail.join('\n'),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (server) await stopChild(server, STOP_GRACE_MS);
      fs.rmSync(userFolder, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function httpStatus(url: string): Promise<number> {
  return (await httpText(url, 'GET'))?.status ?? 0;
}

async function httpText(url: string, method: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const response = await fetch(url, { method, signal: AbortSignal.timeout(5_000) });
    return { status: response.status, text: await response.text() };
  } catch {
    return undefined; // not listening yet
  }
}
