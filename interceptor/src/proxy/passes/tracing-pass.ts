// Tracing: the exchange's SERVER or CLIENT span, its context injected upstream (W3C, B3 where the
// route asks) with the span as the parent, traceresponse and the correlation id for the caller;
// at the end, the outcome recorded on the span.
import { ATTR_REQUEST_BODY, ATTR_RESPONSE_BODY, httpSemconv } from '@threadline/connectors';
import { BodyCapture } from '../body-capture';
import type { Exchange } from '../exchange';
import type { ProxyTracer } from '../proxy-tracer';
import type { ProxyPass } from './pass';

export class TracingPass implements ProxyPass {
  readonly name = 'tracing';

  constructor(private readonly tracer: ProxyTracer) {}

  request(exchange: Exchange): boolean {
    const route = exchange.route;
    const tracing = route?.tracing;
    const upstreamRequest = exchange.upstreamRequest;
    if (route === undefined || tracing === undefined || upstreamRequest === undefined || exchange.parent === undefined) return true;
    const trace = this.tracer.start({
      route,
      tracing,
      parent: exchange.parent,
      request: exchange.request,
      method: upstreamRequest.method,
      target: exchange.request.url ?? '/',
      upstreamUrl: upstreamRequest.url,
      upstreamHost: upstreamRequest.upstream.hostname,
      clientAddress: exchange.clientAddress,
    });
    exchange.trace = trace;
    trace.inject(upstreamRequest.headers);
    const capture = tracing.captureBody;
    if ((capture.request || capture.response) && trace.span.isRecording()) {
      if (capture.request) exchange.requestBody = new BodyCapture(capture.maxBytes);
      if (capture.response) exchange.responseBody = new BodyCapture(capture.maxBytes);
    }
    const correlationIdHeader = exchange.generation.config.tracing.correlationIdHeader;
    if (tracing.traceResponse || correlationIdHeader !== undefined) exchange.responseHeaders.push(...trace.responseHeaders(tracing.traceResponse, correlationIdHeader));
    return true;
  }

  finish(exchange: Exchange): void {
    const trace = exchange.trace;
    if (trace === undefined) return;
    const response = exchange.response;
    const outcome: httpSemconv.HttpOutcome = {};
    if (response.headersSent) {
      outcome.statusCode = response.statusCode;
      if (exchange.route?.tracing?.captureHeaders.response.length) outcome.headers = exchange.sentHeaders ?? response.getHeaders();
    }
    const requestBody = exchange.requestBody?.text();
    if (requestBody !== undefined) trace.span.setAttribute(ATTR_REQUEST_BODY, requestBody);
    const responseBody = exchange.responseBody?.text();
    if (responseBody !== undefined) trace.span.setAttribute(ATTR_RESPONSE_BODY, responseBody);
    if (exchange.upstreamError !== undefined) outcome.error = exchange.upstreamError;
    else if (!response.writableFinished) outcome.errorType = httpSemconv.ERROR_TYPE_CLIENT_ABORTED;
    trace.end(outcome);
  }
}
