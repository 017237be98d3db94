// What the request, CONNECT and upgrade handlers share: the running generation, the tracer, the
// observers, and the registry of long-lived connections (tunnels, WebSockets) a drain must close.
import type { ProxyObserver } from '../runtime-contracts';
import type { AccessLog } from './access-log';
import type { ProxyGeneration } from './generation';
import type { ProxyTracer } from './proxy-tracer';
import type { UpstreamPools } from './upstream-pools';

/** A long-lived connection (tunnel, WebSocket) a drain closes at its deadline. */
export interface Closable {
  close(): void;
}

export interface ProxyContext {
  /** The generation new requests start under. */
  generation(): ProxyGeneration;
  readonly tracer: ProxyTracer;
  readonly pools: UpstreamPools;
  readonly observer?: ProxyObserver;
  readonly accessLog?: AccessLog;
  /** True while the proxy drains. */
  draining(): boolean;
  /** Registers a long-lived connection; call the returned function when it is over. */
  track(connection: Closable): () => void;
  /** Reports an unexpected internal error (never a user's bad input). */
  internalError(where: string, error: unknown): void;
}
