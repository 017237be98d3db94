// One proxied request from arrival to the end of its response: what each pass has learnt about it
// (route, upstream request, trace), and the few things a pass may do to it (answer it itself,
// add response headers). It captures the config generation it started under, so a reload never
// changes a request in flight.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Context } from '@opentelemetry/api';
import type { BodyCapture } from './body-capture';
import type { ForwardHeaders } from './forwarded-headers';
import type { TrafficDirection } from '../runtime-contracts';
import type { ProxyGeneration } from './generation';
import type { ProxyRoute, Upstream } from './proxy-route';
import type { ExchangeTrace } from './proxy-tracer';

/** Status reported for a request whose client went away before the response was complete. */
export const STATUS_CLIENT_CLOSED = 499;

export interface UpstreamRequest {
  upstream: Upstream;
  method: string;
  /** Path and query as sent upstream. */
  path: string;
  headers: ForwardHeaders;
  /** The full URL, for CLIENT spans and the access log. */
  url: string;
}

/** Something running for the exchange that must stop when the client goes away. */
export interface Abortable {
  abort(): void;
}

export class Exchange {
  readonly startedAt = performance.now();
  readonly clientAddress: string | undefined;
  route?: ProxyRoute;
  /** The route's direction; 'forward' for forward-proxy requests refused before a route was chosen. */
  direction: TrafficDirection = 'ingress';
  /** The request path (origin-form) or URL (absolute-form), without the query, for logs. */
  path: string;
  upstreamRequest?: UpstreamRequest;
  /** The caller's context after the trust and baggage boundary. */
  parent?: Context;
  trusted = false;
  trace?: ExchangeTrace;
  /** Opt-in captures of the bodies, for a recorded span. */
  requestBody?: BodyCapture;
  responseBody?: BodyCapture;
  /** Headers every response to the client carries (traceresponse, correlation id). */
  readonly responseHeaders: [string, string][] = [];
  /** The header fields sent to the client with the upstream's response (for captured response headers). */
  sentHeaders?: Record<string, string | string[] | undefined>;
  /** Set when the upstream exchange failed; the cause for the span and the log. */
  upstreamError?: unknown;
  /** Running work (the upstream dispatch) to abort when the client goes away. */
  running?: Abortable;
  private ended = false;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly generation: ProxyGeneration,
    /** True while the proxy drains: responses close their connection. */
    private readonly draining: () => boolean,
  ) {
    this.clientAddress = request.socket.remoteAddress;
    this.path = request.url ?? '';
  }

  /**
   * The status the client got: the response's, or when the response broke off, the upstream's
   * status if it had started, else 499 (the client went away first).
   */
  get status(): number {
    if (this.response.writableFinished || (this.upstreamError !== undefined && this.response.headersSent)) return this.response.statusCode;
    return STATUS_CLIENT_CLOSED;
  }

  /** The client went away before its response was complete (and not because the upstream failed). */
  get clientGone(): boolean {
    return !this.response.writableFinished && this.upstreamError === undefined;
  }

  durationSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** Header fields for the response head: the upstream's (already filtered) plus the proxy's own. */
  headFields(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
    for (const [name, value] of this.responseHeaders) headers[name] = value;
    if (this.draining()) headers.connection = 'close';
    return headers;
  }

  /** Answers the request with a small JSON error (unless a response has started). */
  reply(status: number, message: string): void {
    const response = this.response;
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }
    const body = JSON.stringify({ error: message, status });
    response.writeHead(status, this.headFields({ 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' }));
    response.end(body);
    // An unread request body would otherwise hold the connection.
    this.request.resume();
  }

  /** Marks the end once; false when it had already ended. */
  markEnded(): boolean {
    if (this.ended) return false;
    this.ended = true;
    return true;
  }
}
