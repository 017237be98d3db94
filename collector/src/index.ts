// Public surface of the built-in collector.
export * from './otlp/decode';
export type * from './api/contract';
export { startCollector, isLoopbackHost, CollectorConfigError, DEFAULT_COLLECTOR_HOST, DEFAULT_COLLECTOR_PORT, DEFAULT_MAX_AGE_MS, DEFAULT_MAX_SPANS, DEFAULT_SETTLE_MS } from './collector';
export type { Collector, CollectorOptions } from './collector';
export { TraceStore } from './store/trace-store';
export type { StoredSpan, StoredTrace, TraceStoreOptions } from './store/trace-store';
export { TraceQueries } from './query/trace-queries';
export { parseDuration } from './duration';
export { loadCheckExpectation, CHECK_EXPECTATION_SCHEMA_ID } from './check/expectation';
export type { CheckExpectation, ExpectedStep } from './check/expectation';
export { runCheck } from './check/run-check';
export type { CheckOptions, CheckResult, StepOutcome } from './check/run-check';
export { formatCheckResult } from './check/check-report';
