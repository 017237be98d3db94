// The embedded defaults: the lowest layer, below the OTEL_* environment and the file. They follow
// the OpenTelemetry specification's defaults where it has one.
import type { ThreadlineConfig } from './types';

export const DEFAULT_SERVICE_NAME = 'unknown_service:node';
export const DEFAULT_TRACES_ENDPOINT = 'http://localhost:4318/v1/traces';

/** Query parameters whose values are always REDACTED (semantic conventions for url.query). */
export const SEMCONV_SENSITIVE_QUERY_KEYS: readonly string[] = [
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];

/** OTEL_BSP_EXPORT_TIMEOUT's default. */
export const DEFAULT_EXPORT_TIMEOUT_MILLIS = 30000;

/** The largest timer the platform can arm; a timeout of 0 ("no limit") resolves to it. */
export const NO_TIMEOUT_MILLIS = 2147483647;

/** A fresh copy of the defaults (callers may modify it). */
export function defaultConfig(): ThreadlineConfig {
  return {
    service: { name: DEFAULT_SERVICE_NAME, attributes: {} },
    exporter: {
      enabled: true,
      protocol: 'http/protobuf',
      tracesEndpoint: DEFAULT_TRACES_ENDPOINT,
      headers: {},
      timeoutMillis: 10000,
      compression: 'none',
      tls: {},
      queue: { maxSize: 2048, maxBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: DEFAULT_EXPORT_TIMEOUT_MILLIS },
      retry: { maxAttempts: 5, initialBackoffMillis: 1000, maxBackoffMillis: 30000 },
    },
    sampling: {
      sampler: 'parentbased_always_on',
      ratio: 1,
      rules: [],
      inbound: { maxSampledPerSecond: 100 },
    },
    propagation: { inbound: ['tracecontext', 'baggage'], outbound: ['tracecontext', 'baggage'] },
    redaction: { urlQuerySensitiveKeys: [...SEMCONV_SENSITIVE_QUERY_KEYS] },
  };
}
