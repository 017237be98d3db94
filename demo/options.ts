// The demo's command line: npm start -- [--once] [--broken-step] [--port N] [--collector URL].
import { parseArgs } from 'node:util';
import { DEFAULT_COLLECTOR_PORT } from '@threadline/collector';

export interface DemoOptions {
  once: boolean;
  brokenStep: boolean;
  collectorPort: number;
  collectorUrl?: string;
  help: boolean;
}

export const USAGE = [
  'npm start -- [options]   (or: node --import tsx demo/main.ts [options])',
  '',
  'Starts the built-in collector and trace viewer, a stock API, Node-RED running',
  'samples/node-red/demo-flow.json behind the Threadline interceptor, sends a burst of orders',
  'and prints one trace as a tree. Ctrl-C stops everything.',
  '',
  '  --once          send the burst, print, stop everything and exit',
  '  --broken-step   deploy the flow with a "validate order" step that drops the trace context,',
  '                  to see the gap in the completeness audit and in `threadline check`',
  `  --port N        the collector's port (default ${DEFAULT_COLLECTOR_PORT}; a free one when it is taken; 0 = any)`,
  '  --collector URL send spans to this running Threadline collector instead of starting one',
  '  --help          this text',
].join('\n');

export class DemoUsageError extends Error {}

/** Reads the command line; throws DemoUsageError naming what is wrong. */
export function readDemoOptions(args: string[]): DemoOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    throw new DemoUsageError((error as Error).message);
  }
  const options: DemoOptions = { once: values.once === true, brokenStep: values['broken-step'] === true, collectorPort: DEFAULT_COLLECTOR_PORT, help: values.help === true };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new DemoUsageError(`--port: "${values.port}" is not a port number (0-65535)`);
    options.collectorPort = port;
  }
  if (values.collector !== undefined) {
    let url: URL;
    try {
      url = new URL(values.collector);
    } catch {
      throw new DemoUsageError(`--collector: "${values.collector}" is not a URL (e.g. http://127.0.0.1:4318)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DemoUsageError(`--collector: "${values.collector}" is not an http:// or https:// URL`);
    options.collectorUrl = url.origin + url.pathname.replace(/\/v1\/traces\/?$/, '').replace(/\/+$/, '');
  }
  return options;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      once: { type: 'boolean' },
      'broken-step': { type: 'boolean' },
      port: { type: 'string' },
      collector: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
