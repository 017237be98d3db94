// The interceptor's Prometheus registry: what the proxy reports while it runs (ProxyObserver),
// plus the span pipeline's counters read at scrape time. It uses a registry of its own, never
// prom-client's global one, so two interceptors in one process (or a test) never share numbers.
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ProxyObserver, ReloadResult, RequestObservation } from '../runtime-contracts';
import { PipelineMetrics } from './pipeline-metrics';
import type { PipelineStatsSource } from './pipeline-metrics';
import { ReloadMetrics } from './reload-metrics';
import { RequestMetrics } from './request-metrics';

export interface ProxyMetricsOptions {
  /** Also expose prom-client's process and Node.js runtime metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

export class ProxyMetrics implements ProxyObserver {
  readonly registry = new Registry();
  private readonly requests: RequestMetrics;
  private readonly reloads: ReloadMetrics;
  private readonly pipeline: PipelineMetrics;

  constructor(options: ProxyMetricsOptions = {}) {
    this.requests = new RequestMetrics(this.registry);
    this.reloads = new ReloadMetrics(this.registry);
    this.pipeline = new PipelineMetrics(this.registry);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The Content-Type of render()'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  requestFinished(observation: RequestObservation): void {
    this.requests.record(observation);
  }

  configReloaded(outcome: ReloadResult): void {
    this.reloads.record(outcome);
  }

  /** One scrape: reads the pipeline's counters from `source` now, then renders every metric. */
  render(source: PipelineStatsSource): Promise<string> {
    this.pipeline.update(source.pipelineStats());
    return this.registry.metrics();
  }
}
