// Merges the configuration layers over the embedded defaults, fills every field, and checks the
// rules a schema cannot express across fields and sources (batch size ≤ queue size, back-off
// bounds, client certificate with its key).
import type { ConfigIssue } from './config-error';
import { mergeLayers, type ThreadlineConfigInput } from './config-input';
import { DEFAULT_EXPORT_TIMEOUT_MILLIS, NO_TIMEOUT_MILLIS, SEMCONV_SENSITIVE_QUERY_KEYS, defaultConfig } from './defaults';
import { dottedPath, valueAt } from './json-pointer';
import type { ParsedText } from './structured-text';
import type { ThreadlineConfig } from './types';

export interface ConfigLayer {
  /** Name used in messages: a file path, 'environment' or 'overrides'. */
  source: string;
  input: ThreadlineConfigInput;
  /** True when a person wrote the values for this purpose (file, overrides): contradictions are errors, not warnings. */
  explicit: boolean;
  /** The parsed file, to give the line and column of its fields. */
  parsed?: ParsedText;
  /** For the environment: which variable set each field, by JSON Pointer. */
  variables?: Record<string, string>;
}

export interface ConfigWarning {
  source: string;
  variable?: string;
  message: string;
}

export interface ResolvedConfig {
  config: ThreadlineConfig;
  warnings: ConfigWarning[];
  /** Contradictions between fields; the config must not be used when there are any. */
  issues: ConfigIssue[];
}

/** Resolves layers given from lowest to highest precedence (the defaults are below them all). */
export function resolveConfig(layers: readonly ConfigLayer[]): ResolvedConfig {
  const defaults = defaultConfig();
  const merged = mergeLayers<ThreadlineConfig>(defaults, ...layers.map((layer) => layer.input as ThreadlineConfig));
  const warnings: ConfigWarning[] = [];
  const issues: ConfigIssue[] = [];

  const owner = (pointer: string): ConfigLayer | undefined => [...layers].reverse().find((layer) => valueAt(layer.input, pointer) !== undefined);
  const issueAt = (pointer: string, message: string): void => {
    const layer = owner(pointer);
    const variable = layer?.variables?.[pointer];
    issues.push({
      source: layer?.source ?? 'defaults',
      path: pointer,
      field: dottedPath(pointer),
      message,
      ...(variable === undefined ? {} : { variable }),
      ...(layer?.parsed === undefined ? {} : layer.parsed.locate(pointer)),
    });
  };

  const { exporter, sampling } = merged;
  const queue = { ...exporter.queue };
  if (queue.maxBatchSize > queue.maxSize) {
    const batchOwner = owner('/exporter/queue/maxBatchSize');
    if (batchOwner?.explicit) {
      issueAt('/exporter/queue/maxBatchSize', `must not exceed exporter.queue.maxSize (${queue.maxSize}), got ${queue.maxBatchSize}`);
    } else if (batchOwner !== undefined) {
      const variable = batchOwner.variables?.['/exporter/queue/maxBatchSize'];
      warnings.push({
        source: batchOwner.source,
        ...(variable === undefined ? {} : { variable }),
        message: `${variable ?? 'exporter.queue.maxBatchSize'}: ${queue.maxBatchSize} exceeds the queue size; ${queue.maxSize} is used`,
      });
    }
    queue.maxBatchSize = queue.maxSize;
  }
  if (exporter.retry.initialBackoffMillis > exporter.retry.maxBackoffMillis) {
    const pointer = owner('/exporter/retry/initialBackoffMillis')?.explicit ? '/exporter/retry/initialBackoffMillis' : '/exporter/retry/maxBackoffMillis';
    issueAt(pointer, `initialBackoffMillis (${exporter.retry.initialBackoffMillis}) must not exceed maxBackoffMillis (${exporter.retry.maxBackoffMillis})`);
  }
  const tls = exporter.tls;
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    const [present, missing] = tls.certFile !== undefined ? ['certFile', 'keyFile'] : ['keyFile', 'certFile'];
    issueAt(`/exporter/tls/${present}`, `needs exporter.tls.${missing} as well: a client certificate and its key go together`);
  }
  if (!isHttpUrl(exporter.tracesEndpoint)) {
    issueAt('/exporter/tracesEndpoint', 'must be an http:// or https:// URL with a host');
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(exporter.headers)) headers[name.toLowerCase()] = value; // HTTP names are case-insensitive

  const config: ThreadlineConfig = {
    service: withoutUndefined({
      name: merged.service.name,
      version: merged.service.version,
      namespace: merged.service.namespace,
      environment: merged.service.environment,
      attributes: { ...merged.service.attributes },
    }),
    exporter: {
      enabled: exporter.enabled,
      protocol: exporter.protocol,
      tracesEndpoint: exporter.tracesEndpoint,
      headers,
      timeoutMillis: orNoLimit(exporter.timeoutMillis),
      compression: exporter.compression,
      tls: withoutUndefined({ caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile }),
      queue: { ...queue, exportTimeoutMillis: orNoLimit(queue.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MILLIS) },
      retry: { ...exporter.retry },
    },
    sampling: {
      sampler: sampling.sampler,
      ratio: sampling.ratio,
      // A rule without a ratio samples with sampling.ratio; a rule without match applies to all.
      rules: sampling.rules.map((rule) => ({ match: { ...(rule.match ?? {}) }, ratio: rule.ratio ?? sampling.ratio })),
      inbound: { ...sampling.inbound },
    },
    propagation: { inbound: [...merged.propagation.inbound], outbound: [...merged.propagation.outbound] },
    // The semantic-convention keys always apply; configured keys add to them.
    redaction: withoutUndefined({
      urlQuerySensitiveKeys: [...new Set([...SEMCONV_SENSITIVE_QUERY_KEYS, ...merged.redaction.urlQuerySensitiveKeys])],
      rulesFile: merged.redaction.rulesFile,
      rules: merged.redaction.rules,
    }),
  };
  return { config, warnings, issues };
}

/** A timeout of 0 means "no limit" (OpenTelemetry); downstream code gets the longest timer instead. */
function orNoLimit(millis: number): number {
  return millis === 0 ? NO_TIMEOUT_MILLIS : millis;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
