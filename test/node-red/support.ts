// What the Node-RED end-to-end suites share: where the package under test is, a helper to call
// flows over HTTP, and reading the node facts the automatic-tracing spans carry.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { ReceivedSpan } from '../support/otlp-receiver-client';

export const PACKAGE_DIR = path.resolve(__dirname, '..', '..', 'node-red-nodes');
const PLUGIN_ENTRY = 'dist/auto/plugin.js';

/**
 * The built @threadline/node-red package folder (used as nodesDir). Fails with a hint when it is
 * not built or does not list the plugin.
 */
export function builtPackageDir(): string {
  // THREADLINE_NODE_RED_PACKAGE: test another build of the package (an unpacked tarball, say)
  const dir = process.env.THREADLINE_NODE_RED_PACKAGE || PACKAGE_DIR;
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { 'node-red'?: { plugins?: Record<string, string> } };
  const plugins = Object.values(manifest['node-red']?.plugins ?? {});
  if (!plugins.includes(PLUGIN_ENTRY)) throw new Error(`${dir}/package.json: node-red.plugins does not list ${PLUGIN_ENTRY}`);
  if (!fs.existsSync(path.join(dir, PLUGIN_ENTRY))) throw new Error(`${dir}/${PLUGIN_ENTRY} is missing: run npm run build first`);
  return dir;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function httpCall(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The Node-RED node type a span of the automatic tracing belongs to. */
export function nodeTypeOf(span: ReceivedSpan): string {
  return String(span.attributes['node_red.node.type']);
}

export function nodeIdOf(span: ReceivedSpan): string {
  return String(span.attributes['node_red.node.id']);
}

/** Waits until no new span has arrived for `quietMs` (the count is stable), returns them all. */
export async function settledSpans(read: () => Promise<ReceivedSpan[]>, quietMs: number, timeoutMs: number): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const spans = await read();
    if (spans.length !== last) {
      last = spans.length;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) {
      return spans;
    }
    if (Date.now() > deadline) throw new Error(`spans did not settle within ${timeoutMs} ms (${spans.length} so far)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
