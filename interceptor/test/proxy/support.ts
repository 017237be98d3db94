// Test support for the proxy: config files in a temporary folder, recording upstream servers,
// an in-process interceptor whose spans land in memory, and a raw HTTP client that sends exactly
// the header fields it is given.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Interceptor } from '../../src/interceptor';
import type { ProxyObserver, ReloadResult, RequestObservation } from '../../src/runtime-contracts';

export const ADMIN_OFF = { enabled: false };

/** Spans leave quickly; nothing goes over the network. */
export const FAST_EXPORT = { queue: { scheduledDelayMillis: 10 } };

export class TempFolder {
  readonly path = mkdtempSync(join(tmpdir(), 'threadline-proxy-'));
  private count = 0;

  /** Writes a config (an object as JSON, or YAML text) and returns its path. */
  write(config: unknown, name = `config-${++this.count}.${typeof config === 'string' ? 'yaml' : 'json'}`): string {
    const file = join(this.path, name);
    writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
    return file;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

export interface Upstream {
  url: string;
  port: number;
  server: http.Server;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export type UpstreamHandler = (request: http.IncomingMessage, response: http.ServerResponse, body: string) => void;

const echo: UpstreamHandler = (request, response, body) => {
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }));
};

/** An upstream on 127.0.0.1 that records every request; the default handler echoes it as JSON. */
export async function startUpstream(handler: UpstreamHandler = echo): Promise<Upstream> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, rawHeaders: request.rawHeaders, body });
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export class RecordingObserver implements ProxyObserver {
  readonly requests: RequestObservation[] = [];
  readonly reloads: ReloadResult[] = [];

  requestFinished(observation: RequestObservation): void {
    this.requests.push(observation);
  }

  configReloaded(outcome: ReloadResult): void {
    this.reloads.push(outcome);
  }
}

export interface TestProxy {
  interceptor: Interceptor;
  url: string;
  port: number;
  file: string;
  observer: RecordingObserver;
  accessLog: string[];
  log: string[];
  /** Spans exported so far (flushes first). */
  spans(): Promise<ReadableSpan[]>;
  close(): Promise<void>;
}

/** A minimal complete config around some routes; `extra` is merged at the top level. */
export function proxyConfig(routes: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { listen: { port: 0 }, routes, admin: ADMIN_OFF, exporter: FAST_EXPORT, ...extra };
}

export interface StartProxyOptions {
  env?: Record<string, string>;
  /** Export over OTLP as the config says (to a receiver process) instead of to memory. */
  otlp?: boolean;
}

/**
 * OpenTelemetry's in-memory exporter forgets its spans when the pipeline shuts down; this one keeps
 * them, so a test can read what a proxy exported while closing (a drain ends in a shutdown).
 */
class KeepingSpanExporter extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Starts an interceptor in this process; spans go to memory (or over OTLP), access-log lines to `accessLog`. */
export async function startProxy(folder: TempFolder, config: Record<string, unknown>, options: StartProxyOptions = {}): Promise<TestProxy> {
  const file = folder.write(config);
  const env = options.env ?? {};
  const exporter = new KeepingSpanExporter();
  const observer = new RecordingObserver();
  const accessLog: string[] = [];
  const log: string[] = [];
  const interceptor = new Interceptor({
    file,
    env,
    observer,
    log: (line) => log.push(line),
    stdout: { write: (text: string) => accessLog.push(...text.split('\n').filter((line) => line !== '')) },
    pipeline: options.otlp === true ? { shutdownTimeoutMillis: 2000 } : { exporter, shutdownTimeoutMillis: 1000 },
  });
  const { port } = await interceptor.listen();
  return {
    interceptor,
    url: `http://127.0.0.1:${port}`,
    port,
    file,
    observer,
    accessLog,
    log,
    spans: async () => {
      await interceptor.flushSpans();
      return exporter.getFinishedSpans();
    },
    close: () => interceptor.close(2000),
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequestOptions {
  method?: string;
  path?: string;
  /** Header fields exactly as sent (names keep their case, repeats stay separate). */
  headers?: [string, string][];
  body?: string | Buffer;
}

/** One request on a fresh connection, to 127.0.0.1:port. */
export function rawRequest(port: number, options: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const fields: string[] = [];
    let hasHost = false;
    for (const [name, value] of options.headers ?? []) {
      fields.push(name, value);
      if (name.toLowerCase() === 'host') hasHost = true;
    }
    if (!hasHost) fields.unshift('host', `127.0.0.1:${port}`);
    const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: fields, agent: false, setHost: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Polls until `condition` holds (or fails after `timeoutMs`). */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface LoadResult {
  /** Requests answered 2xx. */
  ok: number;
  /** Requests answered otherwise, or that failed on the wire. */
  failed: number;
  /** The first few failures, for the assertion message. */
  failures: string[];
}

/** Keeps `concurrency` requests in flight against 127.0.0.1:port for `durationMs`, over keep-alive. */
export async function runLoad(port: number, options: { path: string | (() => string); concurrency: number; durationMs: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const result: LoadResult = { ok: 0, failed: 0, failures: [] };
  const fail = (reason: string): void => {
    result.failed++;
    if (result.failures.length < 5) result.failures.push(reason);
  };
  const deadline = Date.now() + options.durationMs;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const path = typeof options.path === 'string' ? options.path : options.path();
      const request = http.request({ host: '127.0.0.1', port, path, agent, ...(options.headers ? { headers: options.headers } : {}) }, (response) => {
        response.resume();
        response.on('end', () => {
          if ((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300) result.ok++;
          else fail(`${path}: HTTP ${response.statusCode}`);
          resolve();
        });
        response.on('error', (error) => {
          fail(`${path}: ${error.message}`);
          resolve();
        });
      });
      request.on('error', (error) => {
        fail(`${path}: ${error.message}`);
        resolve();
      });
      request.end();
    });
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) await one();
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return result;
}
