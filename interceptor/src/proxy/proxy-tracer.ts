// The tracing step of every proxied exchange (plain requests, WebSocket upgrades, CONNECT
// tunnels): extract the caller's context with the route's propagator (W3C, B3 or Jaeger; an
// invalid traceparent restarts the trace), apply the trust policy and the inbound baggage rules,
// start a SERVER (ingress) or CLIENT (egress, forward) span with the HTTP semantic conventions,
// and inject W3C context (and B3 where the route asks) with that span as the parent.
import type { Attributes, Baggage, Context, Span, Tracer } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, propagation, trace } from '@opentelemetry/api';
import { httpSemconv, lowerCaseHeaderMapSetter, incomingMessageGetter, markTrustedCaller, rawHeaderRecord, traceContextHeaders } from '@threadline/connectors';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { IncomingMessage } from 'node:http';
import type { ForwardHeaders } from './forwarded-headers';
import type { RouteRedactor } from './per-route-seams';
import type { ProxyRoute, RouteTracing } from './proxy-route';

/** Span attribute naming the interceptor route that handled the request. */
export const ATTR_THREADLINE_ROUTE = 'threadline.route';

export interface ParentInput {
  request: IncomingMessage;
  tracing: RouteTracing;
  /** The caller is in tracing.trustedCallers: its sampled flag is followed without the inbound limit. */
  trusted: boolean;
}

/** The caller's context after the trust and baggage boundary, naming the route's sampler. */
export function extractParent({ request, tracing, trusted }: ParentInput): Context {
  // Every Context change copies the context, so extraction starts from one that already names the route's sampler.
  let parent = tracing.propagator.extract(tracing.extractionContext, request, incomingMessageGetter);
  const baggage = propagation.getBaggage(parent);
  if (baggage !== undefined) {
    parent = propagation.setBaggage(parent, tracing.rules.baggage.filterInbound(baggage));
  }
  if (trusted) parent = markTrustedCaller(parent);
  return parent;
}

export interface SpanStart {
  route: ProxyRoute;
  tracing: RouteTracing;
  parent: Context;
  request: IncomingMessage;
  method: string;
  /** The request-target as received (SERVER spans). */
  target: string;
  /** The URL the request goes to (CLIENT spans). */
  upstreamUrl: string;
  /** The upstream's host name, for the outbound baggage rules. */
  upstreamHost: string;
  clientAddress: string | undefined;
}

/** One proxied exchange's span and the context it passes upstream. */
export class ExchangeTrace {
  constructor(
    readonly span: Span,
    readonly kind: SpanKind.SERVER | SpanKind.CLIENT,
    /** The span's context with the baggage that may go upstream. */
    private readonly outbound: Context,
    private readonly tracing: RouteTracing,
  ) {}

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  get spanId(): string {
    return this.span.spanContext().spanId;
  }

  /** Writes the span's context into the upstream request's headers (trace fields were removed before). */
  inject(headers: ForwardHeaders): void {
    // forwardRequestHeaders lower-cases every name it copies
    this.tracing.propagator.inject(this.outbound, headers, lowerCaseHeaderMapSetter);
  }

  /** traceresponse and the correlation id header, for the caller. */
  responseHeaders(traceResponse: boolean, correlationIdHeader: string | undefined): [string, string][] {
    const headers: [string, string][] = [];
    if (traceResponse) {
      const own = traceContextHeaders(trace.setSpan(ROOT_CONTEXT, this.span));
      if (own !== undefined) headers.push(['traceresponse', own.traceparent]);
    }
    if (correlationIdHeader !== undefined) headers.push([correlationIdHeader, this.traceId]);
    return headers;
  }

  /** Records how the exchange ended and ends the span. */
  end(outcome: httpSemconv.HttpOutcome): void {
    if (this.tracing.captureHeaders.response.length > 0) outcome.captureHeaders = this.tracing.captureHeaders.response;
    httpSemconv.recordHttpOutcome(this.span, this.kind, outcome);
    this.span.end();
  }
}

export class ProxyTracer {
  constructor(
    private readonly tracer: Tracer,
    private readonly redactors: RouteRedactor,
  ) {}

  start(input: SpanStart): ExchangeTrace {
    const { route, tracing, method } = input;
    const kind = tracing.kind;
    const baggage = propagation.getBaggage(input.parent);
    const name = kind === SpanKind.SERVER ? httpSemconv.httpSpanName(method, route.httpRoute) : httpSemconv.httpSpanName(method);
    let span: Span;
    if (tracing.samplerReadsAttributes) {
      span = this.tracer.startSpan(name, { kind, attributes: spanAttributes(input, baggage) }, input.parent);
    } else {
      // Sampling rules then read only the name and http.route: a span that is not sampled never
      // pays for its other attributes.
      const sampled: Attributes = kind === SpanKind.SERVER ? { [ATTR_HTTP_ROUTE]: route.httpRoute } : {};
      span = this.tracer.startSpan(name, { kind, attributes: sampled }, input.parent);
      if (span.isRecording()) span.setAttributes(spanAttributes(input, baggage));
    }
    if (span.isRecording()) this.redactors.bind(span, tracing.rules.redactor);

    let outbound = trace.setSpan(input.parent, span);
    if (baggage !== undefined) outbound = propagation.setBaggage(outbound, tracing.rules.baggage.filterOutbound(baggage, input.upstreamHost));
    return new ExchangeTrace(span, kind, outbound, tracing);
  }
}

/** The span's semantic-convention attributes, its route, and the baggage the rules copy onto it. */
function spanAttributes(input: SpanStart, baggage: Baggage | undefined): Attributes {
  const { tracing, request } = input;
  // only the fields the attributes read, from the raw list: node's header objects are not built for them
  const headers = rawHeaderRecord(request.rawHeaders, tracing.spanHeaderNames);
  const attributes: Attributes =
    tracing.kind === SpanKind.SERVER
      ? httpSemconv.httpServerRequestAttributes({
          method: input.method,
          target: input.target,
          scheme: 'http',
          headers,
          captureHeaders: tracing.captureHeaders.request,
          clientAddress: input.clientAddress,
          protocolVersion: request.httpVersion,
          route: input.route.httpRoute,
        })
      : httpSemconv.httpClientRequestAttributes({
          method: input.method,
          url: input.upstreamUrl,
          headers,
          captureHeaders: tracing.captureHeaders.request,
          protocolVersion: request.httpVersion,
        });
  attributes[ATTR_THREADLINE_ROUTE] = input.route.name;
  if (baggage !== undefined) Object.assign(attributes, tracing.rules.baggage.spanAttributes(baggage));
  return attributes;
}
