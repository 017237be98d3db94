// Public API of the propagation codecs.
export {
  TRACEPARENT_HEADER,
  FLAG_SAMPLED,
  FLAG_RANDOM,
  KNOWN_FLAGS_MASK,
  parseTraceparent,
  formatTraceparent,
} from './traceparent';
export type { Traceparent } from './traceparent';
export {
  TRACESTATE_HEADER,
  MAX_TRACESTATE_MEMBERS,
  StrictTraceState,
  parseTraceState,
  isValidTraceStateKey,
  isValidTraceStateValue,
} from './tracestate';
export {
  BAGGAGE_HEADER,
  MAX_BAGGAGE_MEMBERS,
  MAX_BAGGAGE_BYTES,
  parseBaggage,
  parseBaggageHeader,
  serializeBaggage,
  parseBaggageProperties,
  baggagePropertiesMetadata,
  isBaggageKey,
} from './baggage';
export type { BaggageParseResult, BaggageProperty } from './baggage';
export { W3CBaggage } from './w3c-baggage';
export { percentDecode, percentEncode } from './percent-encoding';
export { isValidTraceIdHex, isValidSpanIdHex } from './hex';
export { newTraceId, newSpanId, BufferedIdGenerator } from './ids';
export {
  TraceContextPropagator,
  traceContextHeaders,
} from './trace-context-propagator';
export { W3CBaggagePropagator } from './baggage-propagator';
export { LegacyPropagator, normaliseLegacySpanContext } from './legacy-propagators';
export type { LegacyFormat } from './legacy-propagators';
export {
  ThreadlinePropagator,
  createPropagator,
  parseOtelPropagators,
  PROPAGATOR_NAMES,
  W3C_PROPAGATION,
} from './threadline-propagator';
export {
  headerMapGetter,
  headerMapSetter,
  lowerCaseHeaderMapSetter,
  incomingMessageGetter,
  rawHeaderFields,
  rawHeaderRecord,
  outgoingMessageSetter,
  fetchHeadersGetter,
  fetchHeadersSetter,
  messageHeadersGetter,
  messageHeadersSetter,
  mqttUserPropertiesGetter,
  mqttUserPropertiesSetter,
  jsonEnvelopeCarrier,
  DEFAULT_ENVELOPE_FIELD,
} from './carriers';
export type { HeaderMap, MessageHeaders, MqttUserProperties, FetchHeaders } from './carriers';
export {
  extractCarrier,
  injectCarrier,
  carrierToContext,
  contextToCarrier,
  childCarrier,
  newRootCarrier,
  isValidCarrier,
} from './trace-carrier';
