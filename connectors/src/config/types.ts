// The resolved configuration of the connectors library: what loadConfig() returns after the
// file, the OTEL_* environment and the embedded defaults are merged and validated against
// schemas/threadline-config.schema.json. Every field is filled; nothing downstream guesses a
// default of its own.
import type { RedactionRules } from '../redaction/rules-document';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface ServiceConfig {
  name: string;
  version?: string;
  namespace?: string;
  /** deployment.environment.name */
  environment?: string;
  /** Extra resource attributes (OTEL_RESOURCE_ATTRIBUTES merges in here). */
  attributes: Record<string, string>;
}

export interface TlsConfig {
  /** PEM file of the CA(s) that sign the collector's certificate. */
  caFile?: string;
  /** PEM client certificate and key for mutual TLS. */
  certFile?: string;
  keyFile?: string;
}

export interface ExporterConfig {
  /** false when OTEL_SDK_DISABLED=true or exporter.enabled is false: spans are neither queued nor sent. */
  enabled: boolean;
  protocol: OtlpProtocol;
  /** Full URL of the traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  tracesEndpoint: string;
  headers: Record<string, string>;
  timeoutMillis: number;
  compression: 'none' | 'gzip';
  tls: TlsConfig;
  queue: {
    /** Spans held in memory at most; past it spans are dropped and counted. */
    maxSize: number;
    maxBatchSize: number;
    scheduledDelayMillis: number;
    /** How long one batch export may take, retries included (OTEL_BSP_EXPORT_TIMEOUT). */
    exportTimeoutMillis: number;
  };
  retry: {
    maxAttempts: number;
    initialBackoffMillis: number;
    maxBackoffMillis: number;
  };
}

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface SamplingRule {
  /** Every given field must match; strings are exact unless they contain '*', a wildcard. */
  match: {
    service?: string;
    route?: string;
    spanName?: string;
    attributes?: Record<string, string>;
  };
  ratio: number;
}

export interface SamplingConfig {
  sampler: SamplerName;
  /** Probability in [0, 1] for the root decision (and for rules without a ratio). */
  ratio: number;
  rules: SamplingRule[];
  inbound: {
    /**
     * How many inbound sampled=1 decisions from untrusted callers are honoured per second;
     * past it the span is decided by the root sampler as if the caller had not asked.
     */
    maxSampledPerSecond: number;
  };
}

export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger';

export interface PropagationConfig {
  /** Formats read from incoming carriers, in order of preference. */
  inbound: PropagatorName[];
  /** Formats written to outgoing carriers; W3C always, B3 only when listed. */
  outbound: PropagatorName[];
}

export interface RedactionConfig {
  /** Query parameters whose values become REDACTED (semantic-convention defaults, extendable). */
  urlQuerySensitiveKeys: string[];
  /** A redaction rules file (schemas/redaction-rules.schema.json), relative to the working directory. */
  rulesFile?: string;
  /** Rules written inline; ignored when rulesFile is set. Neither: the strict default rules. */
  rules?: RedactionRules;
}

export interface ThreadlineConfig {
  service: ServiceConfig;
  exporter: ExporterConfig;
  sampling: SamplingConfig;
  propagation: PropagationConfig;
  redaction: RedactionConfig;
}
