// startCollector(): the built-in collector as one object: store, optional persistence file,
// optional forwarding, the query layer and the HTTP server, started and stopped together.
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { StoreStats } from './api/contract';
import { Forwarder } from './forward/forwarder';
import { BearerTokenVerifier } from '@threadline/connectors';
import { CollectorServer } from './http/collector-server';
import { viewerStaticDir } from './http/static-files';
import type { ReceivedSpan } from './otlp/decode';
import { TraceQueries } from './query/trace-queries';
import { SpanFile } from './store/span-file';
import { TraceStore } from './store/trace-store';
import { collectorVersion } from './version';

export const DEFAULT_COLLECTOR_PORT = 4318;
export const DEFAULT_COLLECTOR_HOST = '127.0.0.1';
export const DEFAULT_MAX_SPANS = 100_000;
export const DEFAULT_MAX_AGE_MS = 60 * 60 * 1000;
export const DEFAULT_SETTLE_MS = 2000;
/** How often retention by age runs. */
const EXPIRY_SWEEP_MS = 5000;

export interface CollectorOptions {
  /** Default 4318; 0 = any free port. */
  port?: number;
  /** Default 127.0.0.1. Any non-loopback address requires `token`. */
  host?: string;
  token?: string;
  maxSpans?: number;
  maxAgeMs?: number;
  settleMs?: number;
  /** JSON-lines file that keeps the store across restarts. */
  persistFile?: string;
  /** Upstream OTLP/HTTP traces endpoint that receives everything accepted. */
  forwardUrl?: string;
  forwardHeaders?: Record<string, string>;
  /** Folder of the viewer's static files (default: the package's own). */
  staticRoot?: string;
  /** Problems that do not stop the collector (a failed write, a failed forward). */
  onError?: (message: string) => void;
}

export interface Collector {
  /** Base URL, e.g. http://127.0.0.1:4318 */
  readonly url: string;
  /** The OTLP traces endpoint, url + /v1/traces. */
  readonly tracesUrl: string;
  readonly port: number;
  readonly host: string;
  readonly store: TraceStore;
  readonly queries: TraceQueries;
  stats(): StoreStats;
  /** Stops listening, writes the persistence file and forwards what is queued. Idempotent. */
  close(): Promise<void>;
}

export class CollectorConfigError extends Error {}

/** Loopback names and addresses: where the collector may listen without a token. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

function checkOptions(options: CollectorOptions): void {
  const port = options.port ?? DEFAULT_COLLECTOR_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CollectorConfigError(`port: ${port} is not a port number (0-65535)`);
  const host = options.host ?? DEFAULT_COLLECTOR_HOST;
  if (!isLoopbackHost(host) && (options.token === undefined || options.token === '')) {
    throw new CollectorConfigError(`host: listening on ${host} (not loopback) needs a token (--token or THREADLINE_COLLECTOR_TOKEN), so that no one else can read or send traces`);
  }
  if (options.maxSpans !== undefined && (!Number.isInteger(options.maxSpans) || options.maxSpans < 1)) throw new CollectorConfigError(`maxSpans: ${options.maxSpans} is not a positive whole number`);
  if (options.maxAgeMs !== undefined && !(options.maxAgeMs > 0)) throw new CollectorConfigError(`maxAge: ${options.maxAgeMs} ms is not positive`);
}

export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  checkOptions(options);
  const onError = options.onError ?? ((message: string) => process.stderr.write(`threadline collector: ${message}\n`));
  let token: BearerTokenVerifier | undefined;
  try {
    token = options.token === undefined || options.token === '' ? undefined : new BearerTokenVerifier(options.token, 'token', 'a collector bound beyond loopback');
  } catch (error) {
    throw new CollectorConfigError((error as Error).message);
  }
  const store = new TraceStore({ maxSpans: options.maxSpans ?? DEFAULT_MAX_SPANS, maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS });
  const queries = new TraceQueries(store, { settleMs: options.settleMs ?? DEFAULT_SETTLE_MS });
  const spanFile = options.persistFile === undefined ? undefined : new SpanFile(options.persistFile, store, onError);
  if (spanFile !== undefined) await spanFile.load();
  let forwarder: Forwarder | undefined;
  if (options.forwardUrl !== undefined) {
    try {
      forwarder = new Forwarder({ url: options.forwardUrl, headers: options.forwardHeaders ?? {}, onError });
    } catch (error) {
      throw new CollectorConfigError(`forward: ${(error as Error).message}`);
    }
  }
  let rejected = 0;
  const startedMs = Date.now();

  const stats = (): StoreStats => {
    const result: StoreStats = {
      spans: store.spanCount,
      traces: store.traceCount,
      maxSpans: store.maxSpans,
      maxAgeMs: store.maxAgeMs,
      received: store.counters.received,
      duplicates: store.counters.duplicates,
      evictedSpans: store.counters.evictedSpans,
      evictedTraces: store.counters.evictedTraces,
      rejected: rejected + store.counters.overCapacity,
      startedMs,
    };
    if (spanFile !== undefined) result.persistence = { ...spanFile.stats };
    if (forwarder !== undefined) {
      const { url, forwardedSpans, droppedSpans, failedSpans, failedExports, queuedSpans } = forwarder.stats();
      result.forwarding = { url, forwardedSpans, droppedSpans, failedSpans, failedExports, queuedSpans };
    }
    return result;
  };

  const ingest = (spans: ReceivedSpan[]): number => {
    const fresh: ReceivedSpan[] = [];
    let refused = 0;
    for (const span of spans) {
      const outcome = store.add(span);
      if (outcome === 'over-capacity') refused++;
      if (outcome !== 'stored') continue;
      fresh.push(span);
      if (spanFile !== undefined) spanFile.append(store.trace(span.traceId)!.spans.get(span.spanId)!);
    }
    // Forward first arrivals only: a retried batch is not sent upstream twice.
    if (forwarder !== undefined && fresh.length > 0) forwarder.enqueue(fresh);
    return refused;
  };

  const server = new CollectorServer({
    queries,
    ingest,
    stats,
    onRejected: (count) => (rejected += count),
    ...(token === undefined ? {} : { token }),
    staticRoot: options.staticRoot ?? viewerStaticDir(),
    version: collectorVersion(),
    onError,
  });
  const host = options.host ?? DEFAULT_COLLECTOR_HOST;
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen(options.port ?? DEFAULT_COLLECTOR_PORT, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  server.server.on('error', (error) => onError(`server: ${error.message}`));
  const sweeper = setInterval(() => {
    const before = store.spanCount;
    store.evictExpired();
    if (spanFile !== undefined && store.spanCount < before) void spanFile.compact();
  }, EXPIRY_SWEEP_MS);
  sweeper.unref();

  const address = server.server.address() as AddressInfo;
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    tracesUrl: `${url}/v1/traces`,
    port: address.port,
    host: address.address,
    store,
    queries,
    stats,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweeper);
        await new Promise<void>((resolve) => {
          server.server.close(() => resolve());
          server.server.closeIdleConnections();
          setTimeout(() => server.server.closeAllConnections(), 2000).unref();
        });
        if (spanFile !== undefined) await spanFile.flush();
        if (forwarder !== undefined) await forwarder.shutdown();
      })()),
  };
}
