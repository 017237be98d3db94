import type { ExporterConfig } from '../../config/types';

export type RetryPolicy = ExporterConfig['retry'];

/** The OTLP specification's retryable HTTP answers; any other HTTP status is final. */
const RETRYABLE_HTTP_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Wait before retry number `attempt` (1 = first retry): doubling from the initial backoff, capped, ±20 % jitter. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = policy.initialBackoffMillis * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxBackoffMillis, exponential);
  return Math.max(0, Math.min(policy.maxBackoffMillis, capped * (0.8 + 0.4 * random())));
}

/** The wait before retry number `attempt`: the backoff, or the collector's Retry-After when longer (capped at the maximum backoff). */
export function retryDelay(attempt: number, policy: RetryPolicy, error: unknown, random: () => number = Math.random): number {
  const backoff = backoffDelay(attempt, policy, random);
  const hint = (error as { retryAfterMillis?: unknown } | undefined)?.retryAfterMillis;
  return typeof hint === 'number' && hint > backoff ? Math.min(hint, policy.maxBackoffMillis) : backoff;
}

/** HTTP status an OTLP exporter error carries (OTLPExporterError.code), if any. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'OTLPExporterError' && typeof code === 'number' ? code : undefined;
}

/**
 * Retry unless the collector gave a final answer. Network errors, timeouts and errors without
 * a status are retried: the OTLP exporter reports its own retryable outcomes that way.
 */
export function isRetryableExportError(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === undefined || RETRYABLE_HTTP_STATUS.has(status);
}

/** One line naming what went wrong, for stats and logs. */
export function describeExportError(error: unknown): string {
  if (error === undefined) return 'export failed without an error';
  if (!(error instanceof Error)) return String(error);
  const status = httpStatusOf(error);
  const code = (error as { code?: unknown }).code;
  let text = error.message || error.name;
  if (status !== undefined) text = `HTTP ${status}${error.message ? ` ${error.message}` : ''}`;
  else if (typeof code === 'string' && !text.includes(code)) text = `${code}: ${text}`;
  return text;
}
