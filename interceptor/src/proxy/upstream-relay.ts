// One upstream exchange over the route's undici pool, streamed both ways without buffering: the
// client's request body is handed to undici as a stream, the response is written to the client
// chunk by chunk, pausing the upstream socket while the client is slow (backpressure). A failure
// before the response started is answered 502/504; after, the client's response is cut off.
// When the client goes away, the upstream request is aborted (undici closes its socket).
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { errors, type Dispatcher } from 'undici';
import { rawHeaderFields } from '@threadline/connectors';
import type { Abortable, Exchange, UpstreamRequest } from './exchange';
import { forwardResponseHeaders } from './forwarded-headers';
import { ClientGoneError, upstreamFailureMessage, upstreamFailureStatus } from './upstream-errors';

/**
 * True when the request carries a body (RFC 9112 §6.3: Content-Length other than 0, or
 * Transfer-Encoding), read from the raw header list: node builds its `headers` object on first use.
 */
function hasBody(rawHeaders: readonly string[]): boolean {
  if (rawHeaderFields(rawHeaders, 'transfer-encoding') !== undefined) return true;
  const length = rawHeaderFields(rawHeaders, 'content-length');
  return length !== undefined && length !== '0';
}

export class UpstreamRelay implements Dispatcher.DispatchHandler, Abortable {
  private controller: Dispatcher.DispatchController | undefined;
  private abortRequested = false;
  private done = false;
  private paused = false;
  private readonly resume = (): void => {
    this.paused = false;
    this.bodyTimer?.refresh();
    this.controller?.resume();
  };
  // The relay times the response itself, and undici's own per-request timers are off (see start).
  // undici's run on a coarse tick (up to a second late), and each request left two of its timer
  // objects listed until the next tick, long enough to be promoted to the old generation: under
  // load that made a major GC every few seconds, the proxy's worst latency.
  private headersTimer: NodeJS.Timeout | undefined;
  /** Silence on the response body longer than the route's idle timeout ends the exchange (not while the client holds it up). */
  private bodyTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly exchange: Exchange,
    private readonly upstreamRequest: UpstreamRequest,
  ) {}

  /** Sends the request; every outcome arrives through the handler methods below. */
  start(): void {
    const { exchange, upstreamRequest } = this;
    upstreamRequest.upstream.pool.dispatch(
      {
        path: upstreamRequest.path,
        method: upstreamRequest.method as Dispatcher.HttpMethod,
        headers: upstreamRequest.headers,
        body: hasBody(exchange.request.rawHeaders) ? this.requestBody() : null,
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      this,
    );
  }

  /** The client's request as the upstream body; through a tap when the route captures it. */
  private requestBody(): Readable {
    const capture = this.exchange.requestBody;
    if (capture === undefined) return this.exchange.request;
    // pipeline() passes a failed client stream on as a failed body, which undici reports.
    return pipeline(this.exchange.request, capture.tap(), () => undefined);
  }

  /** The client went away: abort the upstream request (now, or as soon as it is dispatched). */
  abort(): void {
    this.abortRequested = true;
    if (!this.done) this.controller?.abort(new ClientGoneError());
  }

  private readonly onBodyIdle = (): void => {
    if (this.done) return;
    if (this.paused) {
      // the client is slow, not the upstream: wait again once it drains
      return;
    }
    this.controller?.abort(new errors.BodyTimeoutError());
  };

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortRequested) {
      controller.abort(new ClientGoneError());
      return;
    }
    const timeout = this.exchange.route!.timeouts.responseHeadersMillis;
    this.headersTimer = setTimeout(() => controller.abort(new errors.HeadersTimeoutError()), timeout);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // informational responses are not relayed
    clearTimeout(this.headersTimer);
    const idleMillis = this.exchange.route!.timeouts.idleMillis;
    if (idleMillis > 0) this.bodyTimer = setTimeout(this.onBodyIdle, idleMillis);
    const response = this.exchange.response;
    if (response.destroyed) {
      controller.abort(new ClientGoneError());
      return;
    }
    try {
      const fields = this.exchange.headFields(forwardResponseHeaders(headers));
      this.exchange.sentHeaders = fields;
      response.writeHead(statusCode, fields);
    } catch (error) {
      // A header node refuses to send (e.g. control characters): the upstream's response is unusable.
      controller.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bodyTimer?.refresh();
    this.exchange.responseBody?.add(chunk);
    const response = this.exchange.response;
    if (!response.write(chunk)) {
      this.paused = true;
      controller.pause();
      response.once('drain', this.resume);
    }
  }

  onResponseEnd(): void {
    this.done = true;
    clearTimeout(this.bodyTimer);
    this.exchange.response.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.done = true;
    clearTimeout(this.headersTimer);
    clearTimeout(this.bodyTimer);
    const { exchange } = this;
    const response = exchange.response;
    // Our own abort, or a failed request body because the client went away: not the upstream's fault.
    if (error instanceof ClientGoneError || (!response.headersSent && (response.destroyed || exchange.request.destroyed))) {
      response.destroy();
      return;
    }
    exchange.upstreamError = error;
    if (response.headersSent) response.destroy(); // the client sees a cut-off response, never a wrong one
    else exchange.reply(upstreamFailureStatus(error), upstreamFailureMessage(error));
  }
}
