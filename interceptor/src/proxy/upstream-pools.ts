// One undici Pool per upstream (origin + connection settings), with keep-alive, shared by every
// config generation that names the same upstream. After a reload, pools the new routes no longer
// use are closed gracefully: their in-flight requests finish first (undici's close()).
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

export interface UpstreamPoolOptions {
  /** scheme://host:port */
  origin: string;
  connectMillis: number;
  maxConnections: number;
  /** PEM CA bundle (read once, when the pool is made). */
  caFile?: string;
  serverName?: string;
}

/** Idle upstream connections are closed after this long (below the usual 5 s server keep-alive). */
const KEEP_ALIVE_MILLIS = 4000;

export function poolKey(options: UpstreamPoolOptions): string {
  return `${options.origin}|${options.connectMillis}|${options.maxConnections}|${options.caFile ?? ''}|${options.serverName ?? ''}`;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  /** Pools made on demand (forward proxy), oldest first, so their number stays bounded. */
  private readonly onDemand: string[] = [];

  constructor(private readonly maxOnDemand = 256) {}

  /** The pool for these options, made on first use. Throws when the CA file cannot be read. */
  get(options: UpstreamPoolOptions): Pool {
    const key = poolKey(options);
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = createPool(options);
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** A pool for a host only known at request time; the least recently made one is closed past the bound. */
  getOnDemand(options: UpstreamPoolOptions): Pool {
    const key = poolKey(options);
    const existing = this.pools.get(key);
    if (existing !== undefined) return existing;
    const pool = this.get(options);
    this.onDemand.push(key);
    if (this.onDemand.length > this.maxOnDemand) this.release([this.onDemand.shift()!]);
    return pool;
  }

  /** Closes every pool whose key is not in `keep`, letting its in-flight requests finish. */
  retainOnly(keep: ReadonlySet<string>): void {
    this.release([...this.pools.keys()].filter((key) => !keep.has(key) && !this.onDemand.includes(key)));
  }

  /** Waits for in-flight requests, then closes every connection. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }

  /** Drops every connection now, in-flight requests included. */
  async destroy(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((pool) => pool.destroy()));
    this.pools.clear();
  }

  private release(keys: readonly string[]): void {
    for (const key of keys) {
      const pool = this.pools.get(key);
      this.pools.delete(key);
      // A request may still be queued on it; close() lets it finish, and errors are not ours to throw.
      pool?.close().catch(() => undefined);
    }
  }
}

function createPool(options: UpstreamPoolOptions): Pool {
  const tls: { ca?: Buffer; servername?: string } = {};
  if (options.caFile !== undefined) tls.ca = readFileSync(options.caFile);
  if (options.serverName !== undefined) tls.servername = options.serverName;
  return new Pool(options.origin, {
    connections: options.maxConnections,
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_MILLIS,
    connectTimeout: options.connectMillis,
    connect: tls,
  });
}
