// SERVER spans for express 4 and 5 as one middleware. express is an optional peer dependency: only
// its types are imported. The middleware registers nothing globally; downstream code finds the
// span's context on `req.threadline.context` (and in context.active() when the application has
// registered a context manager).

import type { Context, Span } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HttpOutcome } from '../semconv/http';
import {
  ERROR_TYPE_CLIENT_ABORTED,
  httpServerRequestAttributes,
  httpSpanName,
  recordHttpOutcome,
} from '../semconv/http';
import type { HeaderMap } from '../propagation/carriers';
import { headerMapSetter, incomingMessageGetter } from '../propagation/carriers';
import type { TracingSeams } from './types';

/** What the middleware leaves on the request for downstream handlers. */
export interface RequestTracing {
  /** The SERVER span of this request. */
  span: Span;
  /** The context holding that span (and the caller's baggage): the parent for downstream work. */
  context: Context;
}

declare module 'express-serve-static-core' {
  interface Request {
    threadline?: RequestTracing;
  }
}

export interface ExpressMiddlewareOptions extends TracingSeams {
  /** Request header names recorded as http.request.header.<name> (opt-in). */
  captureRequestHeaders?: readonly string[];
  /** Response header names recorded as http.response.header.<name> (opt-in). */
  captureResponseHeaders?: readonly string[];
  /**
   * Write a `traceresponse` header (the server span as a traceparent value) on every response.
   * Off by default: it tells callers the trace id.
   */
  traceResponse?: boolean;
}

const TRACE_RESPONSE_HEADER = 'traceresponse';

/** Middleware that opens a SERVER span per request; mount it before the routes. */
export function threadlineMiddleware(opts: ExpressMiddlewareOptions): RequestHandler {
  return function threadline(req: Request, res: Response, next: NextFunction): void {
    let tracing: RequestTracing;
    try {
      tracing = startServerSpan(opts, req, res);
    } catch {
      next(); // tracing never fails a request
      return;
    }
    req.threadline = tracing;
    context.with(tracing.context, next);
  };
}

function startServerSpan(opts: ExpressMiddlewareOptions, req: Request, res: Response): RequestTracing {
  const { tracer, propagator } = opts;
  // The caller's headers are the whole parent: an invalid or duplicated traceparent starts a new
  // trace instead of joining whatever context happens to be active.
  const parent = propagator.extract(ROOT_CONTEXT, req, incomingMessageGetter);
  const method = req.method;
  const span = tracer.startSpan(
    httpSpanName(method),
    {
      kind: SpanKind.SERVER,
      attributes: httpServerRequestAttributes({
        method,
        target: req.originalUrl ?? req.url,
        scheme: req.protocol,
        // headersDistinct keeps repeated fields apart, so captured headers show each one.
        headers: req.headersDistinct ?? req.headers,
        captureHeaders: opts.captureRequestHeaders,
        clientAddress: req.ip ?? req.socket?.remoteAddress,
        protocolVersion: req.httpVersion,
      }),
    },
    parent,
  );
  const spanContext = trace.setSpan(parent, span);
  if (opts.traceResponse) writeTraceResponse(opts, spanContext, res);
  endOnResponseDone(opts, span, req, res);
  return { span, context: spanContext };
}

function writeTraceResponse(opts: ExpressMiddlewareOptions, spanContext: Context, res: Response): void {
  // The propagator formats the value, so traceresponse is exactly what a traceparent would be.
  const written: HeaderMap = {};
  opts.propagator.inject(spanContext, written, headerMapSetter);
  const traceparent = written.traceparent;
  if (typeof traceparent === 'string' && !res.headersSent) res.setHeader(TRACE_RESPONSE_HEADER, traceparent);
}

function endOnResponseDone(opts: ExpressMiddlewareOptions, span: Span, req: Request, res: Response): void {
  let ended = false;
  const end = (aborted: boolean): void => {
    if (ended) return;
    ended = true;
    // The route is known only after routing, so the span is renamed now.
    const route = routeTemplate(req);
    if (route) {
      span.updateName(httpSpanName(req.method, route));
      span.setAttribute(ATTR_HTTP_ROUTE, route);
    }
    const outcome: HttpOutcome = aborted
      ? { errorType: ERROR_TYPE_CLIENT_ABORTED }
      : {
          statusCode: res.statusCode,
          headers: opts.captureResponseHeaders ? res.getHeaders() : undefined,
          captureHeaders: opts.captureResponseHeaders,
        };
    if (aborted && res.headersSent) outcome.statusCode = res.statusCode;
    recordHttpOutcome(span, SpanKind.SERVER, outcome);
    span.end();
  };
  res.once('finish', () => end(false));
  // 'close' without a finished response: the client went away (or the socket failed) first.
  res.once('close', () => end(!res.writableFinished));
}

/**
 * `req.baseUrl` + `req.route.path`, when a route with a string path handled the request. express
 * keeps no template for a mount path: under `app.use('/t/:tenant', router)` the base shows the
 * tenant's value, so mount routers on fixed paths where cardinality matters.
 */
export function routeTemplate(req: Pick<Request, 'baseUrl' | 'route'>): string | undefined {
  const routePath: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof routePath !== 'string') return undefined;
  const baseUrl = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  if (!baseUrl) return routePath;
  return routePath === '/' ? baseUrl : baseUrl + routePath;
}
