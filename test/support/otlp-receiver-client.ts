// Test-side handle on the OTLP receiver process (otlp-receiver.ts). Typical use:
//
//   const receiver = await startReceiver();
//   // point the code under test at receiver.url (http://127.0.0.1:<port>/v1/traces)
//   const spans = await receiver.waitForSpans((all) => all.length >= 3);
//   await receiver.stop();            // always, e.g. in afterAll
//
// stop() then restart() brings it back on the same port (collector outage tests); respondWith()
// makes it answer 503 or slowly (retry tests). With `tls`, the traces endpoint is HTTPS (mutual
// TLS when clientCaFile is given) while the admin calls made here stay on a plain loopback port.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as http from 'node:http';
import { stopChild } from './child-process';
import * as path from 'node:path';
import type { ReceivedRequest, ReceivedSpan, ReceiverBehaviour } from './otlp-decode';

export type { ReceivedRequest, ReceivedSpan, ReceiverBehaviour } from './otlp-decode';
export type { ReceivedAttributes, ReceivedEvent, ReceivedLink, ReceivedValue } from './otlp-decode';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RECEIVER_SCRIPT = path.join(__dirname, 'otlp-receiver.ts');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3_000;

export interface ReceiverOptions {
  /** Listen on this port (default: any free one). */
  port?: number;
  /** Serve the traces endpoint over HTTPS; with clientCaFile, require a client certificate it signed. */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  /** Keep every export body as received, for rawBodies(). */
  keepRawBodies?: boolean;
}

/** An export body as the receiver got it (gzip already undone). */
export interface RawExport {
  contentType: string;
  body: Buffer;
}

export interface Receiver {
  /** The traces endpoint, e.g. http://127.0.0.1:4318/v1/traces (https:// with TLS). */
  readonly url: string;
  readonly port: number;
  /** All spans stored so far (or those of one trace). */
  spans(traceId?: string): Promise<ReceivedSpan[]>;
  /** One entry per export request received. */
  requests(): Promise<ReceivedRequest[]>;
  stats(): Promise<{ spans: number; requests: number }>;
  /** Every stored export body, byte for byte (start with keepRawBodies). */
  rawBodies(): Promise<RawExport[]>;
  /**
   * Polls until `until(spans)` is true (or, given a number, until that many spans are stored) and
   * returns the spans; rejects after `timeoutMs` saying how many spans there were.
   */
  waitForSpans(until: number | ((spans: ReceivedSpan[]) => boolean), timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** Forget stored spans and requests. */
  clear(): Promise<void>;
  /** Change how exports are answered; respondWith({}) restores normal service. */
  respondWith(behaviour: ReceiverBehaviour): Promise<void>;
  /** Kill the process (the port is remembered). Idempotent. */
  stop(): Promise<void>;
  /** Start it again on the same port, with an empty store. */
  restart(): Promise<void>;
}

interface Ready {
  port: number;
  adminPort: number;
}

function adminRequest(port: number, method: string, pathname: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: pathname,
        agent: false,
        headers: { connection: 'close', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function spawnReceiver(options: ReceiverOptions, port: number): Promise<{ child: ChildProcessWithoutNullStreams; ready: Ready }> {
  const args = ['--import', 'tsx', RECEIVER_SCRIPT, '--port', String(port)];
  if (options.tls) {
    args.push('--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile);
    if (options.tls.clientCaFile) args.push('--tls-client-ca', options.tls.clientCaFile);
  }
  if (options.keepRawBodies) args.push('--keep-raw');
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`OTLP receiver did not start: ${reason}${stderr ? `\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no port line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => fail(`exited with code ${code}`));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      try {
        resolve({ child, ready: JSON.parse(stdout.slice(0, newline)) as Ready });
      } catch {
        fail(`unexpected first line "${stdout.slice(0, newline)}"`);
      }
    });
  });
}

/** Starts the receiver process and resolves once it listens. */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  let { child, ready } = await spawnReceiver(options, options.port ?? 0);
  const port = ready.port;
  const scheme = options.tls ? 'https' : 'http';

  const admin = async (method: string, pathname: string, body?: unknown): Promise<string> => {
    const response = await adminRequest(ready.adminPort, method, pathname, body);
    if (response.status >= 300) throw new Error(`receiver ${method} ${pathname}: HTTP ${response.status} ${response.text}`);
    return response.text;
  };
  const spans = async (traceId?: string): Promise<ReceivedSpan[]> =>
    JSON.parse(await admin('GET', traceId ? `/spans?traceId=${encodeURIComponent(traceId)}` : '/spans')) as ReceivedSpan[];

  return {
    url: `${scheme}://127.0.0.1:${port}/v1/traces`,
    port,
    spans,
    requests: async () => JSON.parse(await admin('GET', '/requests')) as ReceivedRequest[],
    stats: async () => JSON.parse(await admin('GET', '/stats')) as { spans: number; requests: number },
    rawBodies: async () =>
      (JSON.parse(await admin('GET', '/raw')) as { contentType: string; body: string }[]).map((entry) => ({ contentType: entry.contentType, body: Buffer.from(entry.body, 'base64') })),
    async waitForSpans(until, timeoutMs = 10_000) {
      const done = typeof until === 'number' ? (all: ReceivedSpan[]) => all.length >= until : until;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = await spans();
        if (done(all)) return all;
        if (Date.now() > deadline) throw new Error(`waitForSpans: condition not met within ${timeoutMs} ms (${all.length} spans stored)`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    clear: async () => {
      await admin('DELETE', '/spans');
    },
    respondWith: async (behaviour) => {
      await admin('POST', '/control', behaviour);
    },
    stop: () => stopChild(child, STOP_TIMEOUT_MS),
    async restart() {
      await stopChild(child, STOP_TIMEOUT_MS);
      // The port was just released; another process could hold it for a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          ({ child, ready } = await spawnReceiver(options, port));
          return;
        } catch (error) {
          if (attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    },
  };
}
