// A fetch that opens a CLIENT span per call and sends its context. Everything else is the base
// fetch's own behaviour: the body (stream or not) is passed through unread, the AbortSignal is the
// caller's, and errors reach the caller unchanged after the span has recorded them.

import type { Span } from '@opentelemetry/api';
import { SpanKind, trace } from '@opentelemetry/api';
import type { HttpHeaderRecord } from '../semconv/http';
import { httpClientRequestAttributes, httpSpanName, recordHttpOutcome } from '../semconv/http';
import { fetchHeadersSetter } from '../propagation/carriers';
import { resolveParentContext } from './parent';
import type { PerCallTracing, TracingSeams } from './types';

export interface FetchWrapperOptions extends TracingSeams {
  /** Request header names recorded as http.request.header.<name> (opt-in). */
  captureRequestHeaders?: readonly string[];
  /** Response header names recorded as http.response.header.<name> (opt-in). */
  captureResponseHeaders?: readonly string[];
}

/** RequestInit plus Threadline's per-call options; `threadline` is removed before the base fetch sees it. */
export interface TracedRequestInit extends RequestInit {
  threadline?: PerCallTracing;
}

export type FetchInput = string | URL | Request;

export type TracedFetch = (input: FetchInput, init?: TracedRequestInit) => Promise<Response>;

export type BaseFetch = (input: FetchInput, init?: RequestInit) => Promise<Response>;

// Fetch upper-cases only these methods (case-insensitively); any other is sent exactly as given.
const FETCH_NORMALIZED_METHODS: ReadonlySet<string> = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** Wraps `baseFetch` (global fetch by default) so every call gets a CLIENT span. */
export function createTracedFetch(opts: FetchWrapperOptions, baseFetch: BaseFetch = globalThis.fetch): TracedFetch {
  const { tracer, propagator } = opts;

  return async function tracedFetch(input: FetchInput, init?: TracedRequestInit): Promise<Response> {
    const { threadline, ...requestInit } = init ?? {};
    const passThroughInit = init === undefined ? undefined : requestInit;
    let headers: Headers;
    let span: Span | undefined;
    try {
      // Same rule as the Request constructor: init.headers, when given, replaces the request's.
      headers = new Headers(requestInit.headers ?? (isRequestLike(input) ? input.headers : undefined));
      const parent = resolveParentContext(propagator, threadline?.parent);
      const method = fetchMethod(requestInit.method ?? (isRequestLike(input) ? input.method : 'GET'));
      span = tracer.startSpan(
        httpSpanName(method),
        {
          kind: SpanKind.CLIENT,
          attributes: httpClientRequestAttributes({
            method,
            url: requestUrl(input),
            headers: headerRecord(headers),
            captureHeaders: opts.captureRequestHeaders,
          }),
        },
        parent,
      );
      for (const field of propagator.fields()) headers.delete(field); // see stale-fields.ts
      propagator.inject(trace.setSpan(parent, span), headers, fetchHeadersSetter);
    } catch {
      // Headers fetch itself would reject (the base fetch reports its own error), or tracing
      // failed: either way the call goes out exactly as the caller wrote it, untraced.
      span?.end();
      return baseFetch(input, passThroughInit);
    }
    const clientSpan = span;

    let response: Response;
    try {
      response = await baseFetch(input, { ...requestInit, headers });
    } catch (error) {
      recordHttpOutcome(clientSpan, SpanKind.CLIENT, { error });
      clientSpan.end();
      throw error;
    }
    recordHttpOutcome(clientSpan, SpanKind.CLIENT, {
      statusCode: response.status,
      headers: opts.captureResponseHeaders ? headerRecord(response.headers) : undefined,
      captureHeaders: opts.captureResponseHeaders,
    });
    // The span covers the exchange up to the response head; the body is the caller's to read.
    clientSpan.end();
    return response;
  };
}

function isRequestLike(input: FetchInput): input is Request {
  return typeof input === 'object' && !(input instanceof URL) && typeof input.url === 'string';
}

function fetchMethod(method: string): string {
  const upper = method.toUpperCase();
  return FETCH_NORMALIZED_METHODS.has(upper) ? upper : method;
}

function requestUrl(input: FetchInput): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

function headerRecord(headers: Headers): HttpHeaderRecord {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}
