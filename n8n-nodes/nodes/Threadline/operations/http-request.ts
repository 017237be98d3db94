// HTTP Request: a traced call of the node's own, through n8n's HTTP helper. One CLIENT span per
// call with the HTTP semantic conventions (an error on 4xx, 5xx and transport failures); failures
// become NodeApiErrors with the item index unless Never Error is set.
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions, IN8nHttpFullResponse, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import type { HttpSpanKind, RecordAttributes, SpanRecord } from '../connectors';
import { httpOutcomeAttributes, httpSpanStatus, parseTraceparent, recordToCarrier, toSpanKind } from '../connectors';
import { injectedContext } from '../n8n-tracing';
import type { Operation, OperationContext } from './context';
import { fail, requireTrace, withTrace } from './context';
import { openClientSpan, outboundCall, outboundHeaders } from './outbound';

const CLIENT = toSpanKind('client') as HttpSpanKind;
const PROPAGATION_HEADERS = new Set(['traceparent', 'tracestate', 'baggage']);

function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** Span end for an outcome: semantic-convention attributes and status. */
function clientEnd(outcome: { statusCode?: number; error?: unknown }) {
  return { attributes: httpOutcomeAttributes(CLIENT, outcome) as RecordAttributes, status: httpSpanStatus(CLIENT, outcome) };
}

function requestHeaders(ctx: OperationContext): Record<string, string> {
  const rows = ctx.fn.getNodeParameter('requestHeaders.header', ctx.itemIndex, []) as Array<{ name?: unknown; value?: unknown }>;
  const headers: Record<string, string> = {};
  rows.forEach((row, index) => {
    const name = typeof row.name === 'string' ? row.name.trim() : '';
    if (name === '') fail(ctx, `Header ${index + 1} has no name`);
    // Trace headers are the node's to write.
    if (PROPAGATION_HEADERS.has(name.toLowerCase())) return;
    headers[name] = row.value === undefined || row.value === null ? '' : String(row.value);
  });
  return headers;
}

function requestBody(ctx: OperationContext, method: string): unknown {
  if (!['PATCH', 'POST', 'PUT', 'DELETE'].includes(method)) return undefined;
  const raw = ctx.fn.getNodeParameter('body', ctx.itemIndex, '') as unknown;
  if (raw === '' || raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return fail(ctx, 'Body is not valid JSON');
  }
}

/**
 * When n8n (2.19+) injected its node span's traceparent over ours, the callee's parent is n8n's
 * span: hang the CLIENT span there too, so the trace stays one tree without fighting n8n.
 */
function alignWithN8n(record: SpanRecord, headers: Record<string, string>): SpanRecord {
  const injected = injectedContext(headers, recordToCarrier(record)?.traceparent);
  const parsed = injected && parseTraceparent(injected.traceparent);
  if (!parsed) return record;
  const attributes = { ...record.attributes, 'threadline.n8n.traceparent': injected.traceparent };
  if (parsed.traceId !== record.traceId) return { ...record, attributes };
  return { ...record, parentSpanId: parsed.parentId, attributes };
}

export const httpRequestOperation: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  const call = outboundCall(ctx);
  const userHeaders = requestHeaders(ctx);
  const body = requestBody(ctx, call.method);
  const options = ctx.fn.getNodeParameter('requestOptions', ctx.itemIndex, {}) as { neverError?: boolean; timeout?: number };

  let record = openClientSpan(ctx, trace, call, userHeaders);
  const headers = { ...userHeaders, ...outboundHeaders(ctx, recordToCarrier(record)!, trace.baggage, call.url) };
  const request: IHttpRequestOptions = {
    method: call.method as IHttpRequestMethods,
    url: call.url.href,
    headers,
    returnFullResponse: true,
    ignoreHttpStatusErrors: true,
    timeout: typeof options.timeout === 'number' && options.timeout > 0 ? options.timeout : 10_000,
  };
  if (body !== undefined) {
    request.body = body as IHttpRequestOptions['body'];
    request.json = typeof body === 'object';
  }

  let response: IN8nHttpFullResponse;
  try {
    response = (await ctx.fn.helpers.httpRequest(request)) as IN8nHttpFullResponse;
  } catch (error) {
    record = alignWithN8n(record, headers);
    const message = error instanceof Error ? error.message : String(error);
    const end = clientEnd({ error });
    // The exception event with the semantic-convention error.type (ECONNREFUSED, not "Error").
    ctx.batch.end(record, { ...end, error: { code: String(end.attributes['error.type']), message } });
    throw new NodeApiError(ctx.fn.getNode(), { message, code: errorCode(error) } as JsonObject, {
      itemIndex: ctx.itemIndex,
      description: `${call.method} ${call.url.href} failed: ${message}`,
    });
  }
  record = alignWithN8n(record, headers);
  ctx.batch.end(record, clientEnd({ statusCode: response.statusCode }));
  if (response.statusCode >= 400 && options.neverError !== true) {
    throw new NodeApiError(ctx.fn.getNode(), { statusCode: response.statusCode, body: response.body as string } as JsonObject, {
      itemIndex: ctx.itemIndex,
      httpCode: String(response.statusCode),
      message: `${call.method} ${call.url.href} answered HTTP ${response.statusCode}`,
    });
  }
  const result: IDataObject = { statusCode: response.statusCode, headers: response.headers as IDataObject, body: response.body as IDataObject };
  return withTrace(ctx, trace, { response: result });
};
