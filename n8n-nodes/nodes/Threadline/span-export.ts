// Sends the spans of one execute() call to the collector before execute() returns, as one OTLP
// export request (protobuf or JSON, encoded by OpenTelemetry's serializers) through n8n's own
// HTTP helper with the Threadline Collector credential. Retryable failures (transport errors,
// 429, 502, 503, 504) get one more attempt after a short pause; a failure is logged and shown as
// an execution hint with the number of spans lost, and never fails the workflow.
import type { IExecuteFunctions, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import type { RedactedSpan } from './connectors';
import { JsonTraceSerializer, ProtobufTraceSerializer } from './connectors';
import type { CollectorSettings, OtlpProtocol } from './collector-settings';
import { CREDENTIAL_TYPE } from './collector-settings';

const RETRY_PAUSE_MS = 250;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
export const EXPORT_TIMEOUT_MS = 10_000;

export interface ExportResult {
  sent: number;
  /** Why the spans could not be delivered, when they could not. */
  error?: string;
}

/** One OTLP export request body for `spans` (an empty list gives a valid, empty request). */
export function encodeSpans(spans: readonly RedactedSpan[], protocol: OtlpProtocol): { body: Buffer; contentType: string } {
  const serializer = protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer;
  const bytes = serializer.serializeRequest([...spans]) ?? new Uint8Array(0);
  return {
    body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    contentType: protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
  };
}

function isFullResponse(value: unknown): value is IN8nHttpFullResponse {
  return typeof value === 'object' && value !== null && typeof (value as { statusCode?: unknown }).statusCode === 'number';
}

async function attempt(fn: IExecuteFunctions, options: IHttpRequestOptions): Promise<{ error?: string; retryable: boolean }> {
  try {
    const response: unknown = await fn.helpers.httpRequestWithAuthentication.call(fn, CREDENTIAL_TYPE, options);
    const status = isFullResponse(response) ? response.statusCode : 200;
    if (status >= 200 && status < 300) return { retryable: false };
    return { error: `the collector answered HTTP ${status}`, retryable: RETRYABLE_STATUS.has(status) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), retryable: true };
  }
}

/** Sends `spans`; never throws. */
export async function exportSpans(fn: IExecuteFunctions, settings: CollectorSettings, spans: readonly RedactedSpan[]): Promise<ExportResult> {
  if (spans.length === 0) return { sent: 0 };
  const { body, contentType } = encodeSpans(spans, settings.protocol);
  const options: IHttpRequestOptions = {
    method: 'POST',
    url: settings.endpoint,
    body,
    headers: { 'content-type': contentType },
    returnFullResponse: true,
    ignoreHttpStatusErrors: true,
    encoding: 'arraybuffer',
    json: false,
    timeout: EXPORT_TIMEOUT_MS,
  };
  let outcome = await attempt(fn, options);
  if (outcome.error !== undefined && outcome.retryable) {
    await sleep(RETRY_PAUSE_MS);
    outcome = await attempt(fn, { ...options, headers: { 'content-type': contentType } });
  }
  if (outcome.error === undefined) return { sent: spans.length };
  const message = `Threadline could not send ${spans.length} span(s) to ${settings.endpoint}: ${outcome.error}`;
  fn.logger.warn(message);
  fn.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
  return { sent: 0, error: outcome.error };
}
