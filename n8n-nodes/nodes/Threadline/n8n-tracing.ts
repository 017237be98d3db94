// n8n's own tracing (n8n 2.19 and later, N8N_OTEL_ENABLED=true), and how this node joins it.
//
// What we rely on, from n8n's sources (packages/core .../request-helpers/factory.ts and
// packages/cli/src/modules/otel/execution-level-tracer.ts):
// - n8n exposes no span or tracing context to node code. Its tracer keeps a `workflow.execute`
//   span per execution (a child of the webhook's inbound `traceparent`, when there is one) and a
//   `node.execute` span per running node, keyed by node name.
// - `helpers.httpRequest` and `helpers.request` call `injectTraceHeaders(executionId, nodeName,
//   requestOptions.headers)` before sending (unless N8N_OTEL_TRACES_INJECT_OUTBOUND=false): it
//   writes `traceparent` (and `tracestate`) of the running node's span (the `workflow.execute`
//   span when node spans are off) INTO THE CALLER'S HEADERS OBJECT, overwriting a `traceparent`
//   already there. After the call, that object tells the node the
//   span n8n made for it. This is not a public API; where it does not happen (n8n 1.x, tracing
//   off, injection off) the headers come back untouched and we find nothing, which is the 1.x
//   behaviour we want.
// - `baggage` is neither read from webhooks nor injected: it stays ours.
//
// So: Continue Trace sends one empty OTLP export to the collector through `helpers.httpRequest`
// (the probe) and, when n8n injected a context, parents its span on n8n's node span (which hangs
// under `workflow.execute` and the caller's span): one trace, not two. The traced HTTP Request
// operation lets n8n's injected `traceparent` stand and parents its CLIENT span on the span n8n
// put on the wire, instead of fighting the injection.
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import type { TraceCarrier } from './connectors';
import { isValidCarrier } from './connectors';
import type { CollectorSettings } from './collector-settings';
import { encodeSpans } from './span-export';

const PROBE_TIMEOUT_MS = 5_000;

/**
 * The context n8n wrote into `headers` during a helpers.httpRequest call, when it differs from
 * the `traceparent` we put there ourselves (`sent`).
 */
export function injectedContext(headers: unknown, sent?: string): TraceCarrier | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const { traceparent, tracestate } = headers as Record<string, unknown>;
  if (typeof traceparent !== 'string' || traceparent === sent) return undefined;
  const carrier: TraceCarrier = { traceparent };
  if (typeof tracestate === 'string' && tracestate !== '') carrier.tracestate = tracestate;
  return isValidCarrier(carrier) ? carrier : isValidCarrier({ traceparent }) ? { traceparent } : undefined;
}

/**
 * Sends an empty OTLP export to the collector and returns the span context n8n injected into it
 * (n8n's span for this node), or undefined when n8n has no tracing of its own. The answer is not
 * needed: a collector that refuses the request (no credentials are sent) still tells us.
 */
export async function probeN8nTracing(fn: IExecuteFunctions, settings: CollectorSettings): Promise<TraceCarrier | undefined> {
  const { body, contentType } = encodeSpans([], settings.protocol);
  const headers: Record<string, string> = { 'content-type': contentType };
  const options: IHttpRequestOptions = {
    method: 'POST',
    url: settings.endpoint,
    body,
    headers,
    returnFullResponse: true,
    ignoreHttpStatusErrors: true,
    encoding: 'arraybuffer',
    json: false,
    timeout: PROBE_TIMEOUT_MS,
  };
  try {
    await fn.helpers.httpRequest(options);
  } catch (error) {
    // The collector being down does not matter here: injection happens before sending.
    fn.logger.debug(`Threadline: n8n tracing probe request failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return injectedContext(options.headers ?? headers);
}
