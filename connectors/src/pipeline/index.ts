export { createPipeline, PIPELINE_SCOPE_NAME, ABANDONED_STATUS_MESSAGE } from './pipeline';
export type { Pipeline, PipelineOptions } from './pipeline';
export type { PipelineStats } from './stats';
export { openSpanRecord, parentSpanContextOf, recordToCarrier, validateRecord } from './span-record';
export type { EndRecordOptions, EndRecordOutcome, EndRecordResult, OpenRecordOptions } from './span-record';
export { ATTR_SPAN_INCOMPLETE } from './record-span';
export { buildResource, serviceResourceAttributes } from './resource';
export { createOtlpExporter } from './export/otlp-exporter';
export { backoffDelay, isRetryableExportError } from './export/retry';
export type { RetryPolicy } from './export/retry';
export type { Redactor, RedactableParts } from './redact/redactor';
export { partsOf } from './redact/redactor';
export { ATTR_REDACTION_FAILED } from './redact/redact-stage';
export type { RedactionFailureMode } from './redact/redact-stage';
export {
  REDACTED,
  REDACTED_USER_INFO,
  redactQuery,
  redactUrl,
  redactUrlAttributes,
  UrlRedactor,
} from './redact/url-redactor';
export * from './sampling';
