// A complete ThreadlineConfig for pipeline tests and benchmarks, with small delays so tests stay
// fast. Override any part: pipelineConfig({ exporter: { protocol: 'http/json' } }).
import type { ExporterConfig, SamplingConfig, ServiceConfig, ThreadlineConfig } from '../../connectors/src/config/types';

export interface PipelineConfigOverrides {
  service?: Partial<ServiceConfig>;
  exporter?: Partial<Omit<ExporterConfig, 'queue' | 'retry'>> & {
    queue?: Partial<ExporterConfig['queue']>;
    retry?: Partial<ExporterConfig['retry']>;
  };
  sampling?: Partial<SamplingConfig>;
  urlQuerySensitiveKeys?: string[];
}

export function pipelineConfig(overrides: PipelineConfigOverrides = {}): ThreadlineConfig {
  const exporter = overrides.exporter ?? {};
  return {
    service: { name: 'pipeline-test', attributes: {}, ...overrides.service },
    exporter: {
      enabled: true,
      protocol: 'http/protobuf',
      tracesEndpoint: 'http://127.0.0.1:4318/v1/traces',
      headers: {},
      timeoutMillis: 2000,
      compression: 'none',
      tls: {},
      ...exporter,
      queue: { maxSize: 2048, maxBatchSize: 512, scheduledDelayMillis: 20, exportTimeoutMillis: 10_000, ...exporter.queue },
      retry: { maxAttempts: 5, initialBackoffMillis: 20, maxBackoffMillis: 200, ...exporter.retry },
    },
    sampling: {
      sampler: 'parentbased_always_on',
      ratio: 1,
      rules: [],
      inbound: { maxSampledPerSecond: 1000 },
      ...overrides.sampling,
    },
    propagation: { inbound: ['tracecontext', 'baggage'], outbound: ['tracecontext', 'baggage'] },
    redaction: { urlQuerySensitiveKeys: overrides.urlQuerySensitiveKeys ?? [] },
  };
}
