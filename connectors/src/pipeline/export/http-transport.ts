// The HTTP leg of the OTLP exporter. OpenTelemetry's own transport is not used because it loads
// `http` with a dynamic import() (which fails wherever modules run in a vm without ESM support,
// such as Jest) and wraps every request in a fixed inner retry (5 tries, 1-5 s) that would stack
// under the configured one; this transport sends once and reports, and BatchQueue retries.
import * as http from 'node:http';
import * as https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base';

const gzipAsync = promisify(gzip);
const USER_AGENT = 'threadline-connectors OTLP/HTTP';
/** Most response body kept (partial-success messages are small). */
const MAX_RESPONSE_BYTES = 64 * 1024;
const RETRYABLE_HTTP_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export interface HttpTransportOptions {
  url: URL;
  contentType: string;
  headers: Record<string, string>;
  compression: 'none' | 'gzip';
  agent: http.Agent;
}

/** Retry-After (seconds or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An export error carrying the collector's Retry-After, which BatchQueue honours. */
export interface RetryAfterHint {
  retryAfterMillis?: number;
}

function statusError(res: http.IncomingMessage, body: string): OTLPExporterError & RetryAfterHint {
  const error: OTLPExporterError & RetryAfterHint = new OTLPExporterError(res.statusMessage ?? '', res.statusCode, body);
  const retryAfter = parseRetryAfter(res.headers['retry-after']);
  if (retryAfter !== undefined) error.retryAfterMillis = retryAfter;
  return error;
}

export function createHttpTransport(options: HttpTransportOptions): IExporterTransport {
  const request = options.url.protocol === 'https:' ? https.request : http.request;
  const baseHeaders: http.OutgoingHttpHeaders = { ...options.headers, 'content-type': options.contentType, 'user-agent': USER_AGENT };
  if (options.compression === 'gzip') baseHeaders['content-encoding'] = 'gzip';

  return {
    async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
      let body: Uint8Array;
      try {
        body = options.compression === 'gzip' ? await gzipAsync(data) : data;
      } catch (error) {
        return { status: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
      }
      return new Promise<ExportResponse>((resolve) => {
        let settled = false;
        const done = (response: ExportResponse): void => {
          if (settled) return;
          settled = true;
          resolve(response);
        };
        const req = request(
          options.url,
          { method: 'POST', agent: options.agent, headers: { ...baseHeaders, 'content-length': body.byteLength } },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
            });
            res.on('error', (error) => done({ status: 'retryable', error }));
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              const responseBody = Buffer.concat(chunks);
              if (status >= 200 && status < 300) return done({ status: 'success', data: responseBody });
              const error = statusError(res, responseBody.toString('utf8'));
              done(RETRYABLE_HTTP_STATUS.has(status) ? { status: 'retryable', error, retryInMillis: error.retryAfterMillis } : { status: 'failure', error });
            });
          },
        );
        req.setTimeout(timeoutMillis, () => req.destroy(new Error(`OTLP export timed out after ${timeoutMillis} ms`)));
        req.on('error', (error) => done({ status: 'retryable', error }));
        req.end(body);
      });
    },
    shutdown(): void {},
  };
}
