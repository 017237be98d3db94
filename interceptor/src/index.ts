// @threadline/interceptor: the tracing proxy integrators put around a low-code platform.
export { Interceptor, startInterceptor, redactSecrets } from './interceptor';
export type { InterceptorOptions } from './interceptor';
export { loadInterceptorConfig, INTERCEPTOR_CONFIG_SCHEMA_ID, DEFAULT_TIMEOUTS } from './config/load-interceptor-config';
export type { LoadInterceptorConfigOptions } from './config/load-interceptor-config';
export type * from './config/types';
export type { InterceptorControl, ProxyObserver, ReloadResult, RequestObservation, TrafficDirection } from './runtime-contracts';
export { ATTR_THREADLINE_ROUTE } from './proxy/proxy-tracer';
export { runProxyCommand, proxyCommandDefinition } from './cli/proxy-command';
export type { ProxyCommandOptions, ProxySignals } from './cli/proxy-command';
export { createAdminServer } from './admin';
export type { AdminServer, AdminServerOptions } from './admin';
export { ProxyMetrics } from './metrics';
export { tuneRuntimeForProxy } from './runtime-tuning';
