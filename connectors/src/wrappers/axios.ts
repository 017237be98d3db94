// Client spans for axios through one request/response interceptor pair. axios is an optional peer
// dependency: only its types are imported, the instance is the caller's.

import type { Span } from '@opentelemetry/api';
import { SpanKind, trace } from '@opentelemetry/api';
import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { HttpHeaderRecord, HttpOutcome } from '../semconv/http';
import { httpClientRequestAttributes, httpSpanName, isErrorStatusCode, recordHttpOutcome } from '../semconv/http';
import type { HeaderMap } from '../propagation/carriers';
import { headerMapSetter } from '../propagation/carriers';
import { resolveParentContext } from './parent';
import { removePropagatorFields } from './stale-fields';
import type { PerCallTracing, TracingSeams } from './types';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Threadline per-request options, e.g. `{ parent: traceCarrier }`. */
    threadline?: PerCallTracing;
  }
}

export interface AxiosWrapperOptions extends TracingSeams {
  /** Request header names recorded as http.request.header.<name> (opt-in). */
  captureRequestHeaders?: readonly string[];
  /** Response header names recorded as http.response.header.<name> (opt-in). */
  captureResponseHeaders?: readonly string[];
}

export interface AxiosInstrumentation {
  /** Removes both interceptors; requests already in flight still end their spans. */
  eject(): void;
}

// The span rides on the config object itself: axios hands the same object to the response side
// (response.config, error.config), and a symbol key survives interceptors that spread the config.
const CLIENT_SPAN = Symbol('threadline.axios.clientSpan');

type TracedConfig = InternalAxiosRequestConfig & { [CLIENT_SPAN]?: Span };

/** Adds a CLIENT span around every request made with `axiosInstance`. */
export function instrumentAxios(axiosInstance: AxiosInstance, opts: AxiosWrapperOptions): AxiosInstrumentation {
  const { tracer, propagator } = opts;

  function startClientSpan(config: TracedConfig): TracedConfig {
    let span: Span | undefined;
    try {
      const parent = resolveParentContext(propagator, config.threadline?.parent);
      // axios sends the method upper-cased; name and attribute follow what goes on the wire.
      const method = (config.method ?? 'get').toUpperCase();
      span = tracer.startSpan(
        httpSpanName(method),
        {
          kind: SpanKind.CLIENT,
          attributes: httpClientRequestAttributes({
            method,
            url: requestUrl(axiosInstance, config),
            headers: headerRecord(config.headers),
            captureHeaders: opts.captureRequestHeaders,
          }),
        },
        parent,
      );
      const headers = writableHeaders(config);
      removePropagatorFields(propagator, headers);
      propagator.inject(trace.setSpan(parent, span), headers, headerMapSetter);
      config[CLIENT_SPAN] = span;
    } catch {
      // Tracing never fails a request: the request goes out untraced.
      span?.end();
    }
    return config;
  }

  function endClientSpan(config: TracedConfig | undefined, outcome: HttpOutcome, response?: AxiosResponse): void {
    const span = config?.[CLIENT_SPAN];
    if (!config || !span) return;
    delete config[CLIENT_SPAN]; // a retried config starts a fresh span
    if (response && opts.captureResponseHeaders) {
      outcome.headers = headerRecord(response.headers);
      outcome.captureHeaders = opts.captureResponseHeaders;
    }
    recordHttpOutcome(span, SpanKind.CLIENT, outcome);
    span.end();
  }

  function onResponse(response: AxiosResponse): AxiosResponse {
    endClientSpan(response.config, { statusCode: response.status }, response);
    return response;
  }

  function onError(error: unknown): Promise<never> {
    const axiosError = error as Partial<AxiosError> | undefined;
    const response = axiosError?.response;
    if (response && isErrorStatusCode(SpanKind.CLIENT, response.status)) {
      // Rejected by validateStatus: the status code tells the whole story.
      endClientSpan(response.config ?? axiosError.config, { statusCode: response.status }, response);
    } else {
      const outcome: HttpOutcome = { error };
      if (response) outcome.statusCode = response.status;
      endClientSpan(axiosError?.config, outcome, response);
    }
    return Promise.reject(error);
  }

  const requestId = axiosInstance.interceptors.request.use(startClientSpan, undefined, { synchronous: true });
  const responseId = axiosInstance.interceptors.response.use(onResponse, onError);
  return {
    eject() {
      axiosInstance.interceptors.request.eject(requestId);
      axiosInstance.interceptors.response.eject(responseId);
    },
  };
}

function requestUrl(axiosInstance: AxiosInstance, config: InternalAxiosRequestConfig): string {
  // getUri applies baseURL, params and the params serializer exactly as the request will.
  return axiosInstance.getUri(config);
}

// AxiosHeaders keeps each header as an own property, so it is written like a plain header map
// (which is also what an earlier interceptor may have put there instead).
function writableHeaders(config: InternalAxiosRequestConfig): HeaderMap {
  if (!config.headers || typeof config.headers !== 'object') {
    config.headers = {} as InternalAxiosRequestConfig['headers'];
  }
  return config.headers as unknown as HeaderMap;
}

function headerRecord(headers: unknown): HttpHeaderRecord | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const toJSON = (headers as { toJSON?: () => unknown }).toJSON;
  const plain = typeof toJSON === 'function' ? toJSON.call(headers) : headers;
  return plain as HttpHeaderRecord;
}
