// The demo's start-up steps, in order, each announced: the built-in collector (or the one the
// user named), the stock API, a real headless Node-RED with the Threadline nodes, the interceptor
// in front of it and on its way out, and the flow. stop() undoes whatever has started, in reverse.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCollector } from '@threadline/collector';
import type { Collector } from '@threadline/collector';
import { startInterceptor } from '@threadline/interceptor';
import type { Interceptor } from '@threadline/interceptor';
import { startNodeRed } from '../test/support/node-red-runtime';
import type { NodeRedRuntime } from '../test/support/node-red-runtime';
import { startStockApi } from './api/stock-api';
import type { StockApi } from './api/stock-api';
import { DEMO_FLOW_PATH, demoFlow } from './flow';

const REPO_ROOT = path.join(__dirname, '..');
const NODE_RED_PACKAGE_DIR = path.join(REPO_ROOT, 'node-red-nodes');
const INTERCEPTOR_CONFIG = path.join(__dirname, 'interceptor.yaml');
/** The interceptor's port when it is free (the one in samples/interceptor and docs). */
const PREFERRED_PROXY_PORT = 8080;
/** Spans leave each process within this many milliseconds, so the demo can show them quickly. */
const EXPORT_DELAY_MS = '200';

export interface StackOptions {
  /** The built-in collector's port (0: any free one). Ignored with collectorUrl. */
  collectorPort: number;
  /** A running Threadline collector to use instead of starting one (base URL). */
  collectorUrl?: string;
  brokenStep: boolean;
  say: (line: string) => void;
  /** Aborted (Ctrl-C): the start-up stops after the current step and undoes what has started. */
  signal?: AbortSignal;
}

/** Thrown by startStack when its signal was aborted while starting. */
export class StartInterrupted extends Error {
  constructor() {
    super('interrupted while starting');
  }
}

export interface Stack {
  /** The collector's base URL: viewer at /, API under /api. */
  readonly collectorUrl: string;
  /** False when the demo uses a collector that was already running (it keeps running). */
  readonly ownCollector: boolean;
  readonly tracesUrl: string;
  /** Where callers send orders: the interceptor's ingress route to the flow's `http in`. */
  readonly entryUrl: string;
  readonly proxyUrl: string;
  /** Process id of Node-RED. */
  readonly nodeRedPid: number;
  /** Stops everything that started. Idempotent, never rejects. */
  stop(): Promise<void>;
}

/** Node-RED loads the built package; without it the flow's node types would be missing. */
function requireBuiltNodes(): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(NODE_RED_PACKAGE_DIR, 'package.json'), 'utf8')) as { 'node-red'?: { nodes?: Record<string, string> } };
  const missing = Object.values(manifest['node-red']?.nodes ?? {}).filter((file) => !fs.existsSync(path.join(NODE_RED_PACKAGE_DIR, file)));
  if (missing.length > 0) throw new Error(`the Threadline Node-RED nodes are not built (${missing.join(', ')} missing): run \`npm run build\` (\`npm start\` does)`);
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}

/** Tries `preferred`, then any free port when it is taken; says so. */
async function onPreferredPort<T>(preferred: number, what: string, start: (port: number) => Promise<T>, say: (line: string) => void): Promise<T> {
  try {
    return await start(preferred);
  } catch (error) {
    if (preferred === 0 || !isAddressInUse(error)) throw error;
    say(`  port ${preferred} is taken: the ${what} uses a free port instead`);
    return start(0);
  }
}

/** Anything with a stop, in the order it started. */
type Stopper = () => Promise<unknown>;

export async function startStack(options: StackOptions): Promise<Stack> {
  const { say } = options;
  const stoppers: Stopper[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const stopOne of stoppers.reverse()) {
        try {
          await stopOne();
        } catch (error) {
          say(`  while stopping: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })());

  const checkpoint = (): void => {
    if (options.signal?.aborted === true) throw new StartInterrupted();
  };

  try {
    requireBuiltNodes();
    let collectorUrl: string;
    if (options.collectorUrl === undefined) {
      say('starting the built-in collector and trace viewer');
      const collector: Collector = await onPreferredPort(options.collectorPort, 'collector', (port) => startCollector({ port, onError: (message) => say(`  collector: ${message}`) }), say);
      stoppers.push(() => collector.close());
      collectorUrl = collector.url;
      say(`  collector listening on ${collector.url} (OTLP/HTTP at ${collector.tracesUrl})`);
    } else {
      collectorUrl = options.collectorUrl.replace(/\/+$/, '');
      say(`using the collector at ${collectorUrl}`);
    }
    const tracesUrl = `${collectorUrl}/v1/traces`;
    checkpoint();

    say('starting the stock API (the flow calls it on its way out)');
    const api: StockApi = await startStockApi(tracesUrl);
    stoppers.push(() => api.close());
    say(`  stock API on ${api.url}`);
    checkpoint();

    say('starting Node-RED with the Threadline nodes (a real headless runtime, a few seconds)');
    const red: NodeRedRuntime = await startNodeRed({
      nodesDir: NODE_RED_PACKAGE_DIR,
      env: { OTEL_BSP_SCHEDULE_DELAY: EXPORT_DELAY_MS },
    });
    // Node-RED runs in a process group of its own (so a terminal's Ctrl-C reaches the demo only,
    // which then stops it in order). Should the demo exit without stopping it (a crash), the
    // group is killed on the way out rather than left running.
    const killNodeRed = (): void => {
      try {
        process.kill(-red.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('exit', killNodeRed);
    stoppers.push(async () => {
      await red.stop();
      process.off('exit', killNodeRed);
    });
    say(`  Node-RED ${red.baseUrl} (pid ${red.pid}, editor at ${red.adminUrl}/)`);
    checkpoint();

    say('starting the interceptor in front of Node-RED and on its way out to the stock API');
    const interceptor: Interceptor = await onPreferredPort(
      PREFERRED_PROXY_PORT,
      'interceptor',
      (port) =>
        startInterceptor({
          file: INTERCEPTOR_CONFIG,
          env: { ...process.env, DEMO_PROXY_PORT: String(port), DEMO_NODE_RED_URL: red.apiUrl, DEMO_STOCK_API_URL: api.url, THREADLINE_TRACES_URL: tracesUrl },
          log: (line) => say(`  ${line}`),
        }),
      say,
    );
    stoppers.push(() => interceptor.close(2000));
    const proxyUrl = `http://127.0.0.1:${interceptor.address.port}`;
    say(`  interceptor on ${proxyUrl}: /flows → Node-RED (ingress), /stock → stock API (egress)`);
    checkpoint();

    say(`deploying the flow${options.brokenStep ? ' with its broken step' : ''} (samples/node-red/demo-flow.json)`);
    await red.deploy(demoFlow({ tracesUrl, stockApiUrl: `${proxyUrl}/stock`, brokenStep: options.brokenStep }));
    say('  flow running');
    checkpoint();

    return { collectorUrl, ownCollector: options.collectorUrl === undefined, tracesUrl, entryUrl: `${proxyUrl}/flows${DEMO_FLOW_PATH}`, proxyUrl, nodeRedPid: red.pid, stop };
  } catch (error) {
    if (error instanceof StartInterrupted) say('stopping what has started');
    await stop();
    throw error;
  }
}
