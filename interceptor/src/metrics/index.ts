export { ProxyMetrics } from './proxy-metrics';
export type { ProxyMetricsOptions } from './proxy-metrics';
export type { PipelineStatsSource } from './pipeline-metrics';
export { REQUEST_DURATION_BUCKETS } from './request-metrics';
