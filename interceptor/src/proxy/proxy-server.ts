// The listening side of the data plane: node's HTTP server with the limits the config asks for
// (header size → 431, header timeout → 408 and the socket closed, whole-request timeout,
// keep-alive), the pass list for requests, CONNECT tunnels and upgrades, refusals for requests
// node's parser rejects (400), and a drain that stops accepting, lets in-flight exchanges finish
// up to a deadline, then closes what is left.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ListenConfig } from '../config/types';
import { AccessLogPass } from './passes/access-log-pass';
import { BoundaryPass } from './passes/boundary-pass';
import { ForwardPass } from './passes/forward-pass';
import { finishPasses, runPasses, type ProxyPass } from './passes/pass';
import { RoutePass } from './passes/route-pass';
import { TracingPass } from './passes/tracing-pass';
import { handleConnect } from './connect-tunnel';
import { reportConnection } from './connection-report';
import { Exchange } from './exchange';
import { InFlightList } from './in-flight-list';
import type { Closable, ProxyContext } from './proxy-context';
import { rejectSocket } from './socket-response';
import { handleUpgrade } from './websocket-upgrade';
import { performance } from 'node:perf_hooks';

/** Node's own answers to requests its parser refuses, by error code. */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
};

/** One listener for every stream whose errors show up as its 'close' (no closure per request). */
function ignoreError(): void {}

/** The passes every request goes through, in order. */
export function defaultPasses(context: ProxyContext): ProxyPass[] {
  const passes: ProxyPass[] = [new RoutePass(context.pools), new BoundaryPass(), new TracingPass(context.tracer)];
  if (context.accessLog !== undefined) passes.push(new AccessLogPass(context.accessLog));
  passes.push(new ForwardPass());
  return passes;
}

export class ProxyServer {
  readonly server: http.Server;
  private readonly inFlight = new InFlightList<Exchange>();
  private readonly connections = new Set<Closable>();
  private drained: (() => void) | undefined;

  constructor(
    private readonly listenConfig: ListenConfig,
    private readonly context: ProxyContext,
    private readonly passes: readonly ProxyPass[] = defaultPasses(context),
  ) {
    const requestTimeout = listenConfig.requestTimeoutMillis;
    // node requires headersTimeout ≤ requestTimeout; it checks both every connectionsCheckingInterval.
    const headersTimeout = requestTimeout > 0 ? Math.min(listenConfig.headersTimeoutMillis, requestTimeout) : listenConfig.headersTimeoutMillis;
    this.server = http.createServer({
      maxHeaderSize: listenConfig.maxHeaderBytes,
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: listenConfig.keepAliveTimeoutMillis,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 4))),
      noDelay: true,
    });
    this.server.on('request', (request, response) => this.handleRequest(request, response));
    // Node hands CONNECT and upgrade requests a net.Socket (typed as the Duplex it is).
    this.server.on('connect', (request: http.IncomingMessage, socket: Socket, head: Buffer) => this.guard('CONNECT', socket, () => handleConnect(this.context, request, socket, head)));
    this.server.on('upgrade', (request: http.IncomingMessage, socket: Socket, head: Buffer) => this.guard('upgrade', socket, () => handleUpgrade(this.context, request, socket, head)));
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.handleClientError(error, socket));
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.listenConfig.port, this.listenConfig.host, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Exchanges and long-lived connections in progress. */
  get activeCount(): number {
    return this.inFlight.size + this.connections.size;
  }

  track(connection: Closable): () => void {
    this.connections.add(connection);
    return () => {
      this.connections.delete(connection);
      this.checkDrained();
    };
  }

  /**
   * Stops accepting, lets in-flight exchanges and connections finish for up to `deadlineMillis`,
   * then cuts what is left. Resolves true when everything finished in time.
   */
  async drain(deadlineMillis: number): Promise<boolean> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const finished = await this.idle(deadlineMillis);
    if (!finished) {
      for (const exchange of this.inFlight.values()) {
        exchange.running?.abort();
        exchange.response.destroy();
      }
      for (const connection of [...this.connections]) connection.close();
    }
    this.server.closeAllConnections();
    await closed;
    // The cut exchanges end (and end their spans) as their sockets close, just after the server.
    if (!finished) await this.idle(1000);
    return finished;
  }

  /** Resolves true once nothing is in progress, false after `timeoutMillis`. */
  private async idle(timeoutMillis: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const done = await new Promise<boolean>((resolve) => {
      this.drained = () => resolve(true);
      timer = setTimeout(() => resolve(false), timeoutMillis);
      this.checkDrained();
    });
    clearTimeout(timer);
    this.drained = undefined;
    return done;
  }

  private checkDrained(): void {
    if (this.drained !== undefined && this.activeCount === 0) this.drained();
    else if (this.drained !== undefined) this.server.closeIdleConnections();
  }

  private handleRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    const exchange = new Exchange(request, response, this.context.generation(), this.context.draining);
    const link = this.inFlight.add(exchange);
    // Errors on either stream (the client vanished) end the exchange through 'close'.
    request.on('error', ignoreError);
    response.on('error', ignoreError);
    response.once('close', () => {
      this.inFlight.remove(link);
      this.finish(exchange);
    });
    try {
      runPasses(this.passes, exchange);
    } catch (error) {
      this.context.internalError('request', error);
      exchange.reply(500, 'internal proxy error');
    }
  }

  private finish(exchange: Exchange): void {
    if (!exchange.markEnded()) return;
    finishPasses(this.passes, exchange, (pass, error) => this.context.internalError(`pass ${pass.name}`, error));
    const route = exchange.route;
    this.context.observer?.requestFinished({
      route: route?.name ?? 'unmatched',
      direction: exchange.direction,
      method: exchange.request.method ?? '',
      status: exchange.status,
      durationSeconds: exchange.durationSeconds(),
    });
    this.checkDrained();
  }

  private guard(where: string, socket: Duplex, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.context.internalError(where, error);
      rejectSocket(socket, 500, 'internal proxy error');
    }
  }

  /** Requests node's parser refused (malformed, too large, too slow): answered as node would, and reported. */
  private handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    socket.on('error', () => undefined);
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
    // Once a response is under way on this connection, nothing more can be said on it.
    if ((socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage?.headersSent === true) {
      socket.destroy();
      return;
    }
    rejectSocket(socket, status, status === 408 ? 'request headers not received in time' : status === 431 ? 'request headers too large' : 'bad request');
    reportConnection(this.context, { route: undefined, direction: 'ingress', method: '', path: '', status, startedAt: performance.now(), client: (socket as Duplex & { remoteAddress?: string }).remoteAddress });
  }
}
