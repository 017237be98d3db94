// The part of @threadline/connectors this node uses, imported module by module from the
// connectors sources. scripts/build.mjs bundles them into dist, so the published package has no
// runtime dependency, and importing single modules (not the connectors index) keeps the bundle
// to the codecs, span records, redaction and the OTLP serializers: no exporter, batch queue,
// timers, undici or config-file loading. This is the only file that reaches into connectors.
export type {
  RecordAttributes,
  RecordAttributeValue,
  SpanRecord,
  SpanRecordEvent,
  SpanRecordKind,
  TraceCarrier,
} from '../../../connectors/src/model';
export { FLAG_SAMPLED, parseTraceparent } from '../../../connectors/src/propagation/traceparent';
export type { Traceparent } from '../../../connectors/src/propagation/traceparent';
export { extractCarrier, isValidCarrier, newRootCarrier } from '../../../connectors/src/propagation/trace-carrier';
export { headerMapGetter } from '../../../connectors/src/propagation/carriers';
export type { HeaderMap } from '../../../connectors/src/propagation/carriers';
export { isBaggageKey, MAX_BAGGAGE_BYTES, parseBaggageHeader, serializeBaggage } from '../../../connectors/src/propagation/baggage';
export { W3CBaggage } from '../../../connectors/src/propagation/w3c-baggage';
export { BufferedIdGenerator } from '../../../connectors/src/propagation/ids';
export { openSpanRecord, recordToCarrier, validateRecord } from '../../../connectors/src/pipeline/span-record';
export { recordToReadableSpan } from '../../../connectors/src/pipeline/record-span';
export type { RecordEnd } from '../../../connectors/src/pipeline/record-span';
export { hrTimeToNanosString, toHrTime } from '../../../connectors/src/pipeline/time';
export { buildResource } from '../../../connectors/src/pipeline/resource';
export { PipelineCounters } from '../../../connectors/src/pipeline/stats';
export { RedactStage } from '../../../connectors/src/pipeline/redact/redact-stage';
export type { RedactedSpan, RedactedSpanSink } from '../../../connectors/src/pipeline/redact/redacted-span';
export { ParentBasedSampler } from '../../../connectors/src/pipeline/sampling/parent-based-sampler';
export { ConsistentProbabilitySampler } from '../../../connectors/src/pipeline/sampling/consistent-probability-sampler';
export { RuleEngine } from '../../../connectors/src/redaction/engine';
export { compileRules } from '../../../connectors/src/redaction/compile';
export type { CompiledRules } from '../../../connectors/src/redaction/compile';
export { STRICT_DEFAULT_RULES } from '../../../connectors/src/redaction/strict-default';
export type { BaggageRules, RedactionRules } from '../../../connectors/src/redaction/rules-document';
export { ConfigError } from '../../../connectors/src/config/config-error';
export {
  httpClientRequestAttributes,
  httpOutcomeAttributes,
  httpSpanName,
  httpSpanStatus,
} from '../../../connectors/src/semconv/http';
export type { HttpSpanKind } from '../../../connectors/src/semconv/http';
// The OTLP serializers connectors' exporter uses and the OpenTelemetry API values connectors'
// records speak (both dependencies of connectors), bundled into dist like everything above: n8n
// loads nothing from node_modules for this node.
export { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
export { toSpanKind } from '../../../connectors/src/pipeline/record-span';
export { SpanStatusCode } from '@opentelemetry/api';
export type { SpanStatus } from '@opentelemetry/api';
