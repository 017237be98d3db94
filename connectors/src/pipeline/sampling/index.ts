export { ConsistentProbabilitySampler } from './consistent-probability-sampler';
export { ParentBasedSampler } from './parent-based-sampler';
export type { ParentBasedSamplerOptions } from './parent-based-sampler';
export { RuleBasedSampler, wildcardMatcher, wildcardSource } from './rule-sampler';
export { SAMPLER_NAMES, createSamplerFromConfig } from './sampler-from-config';
export { TokenBucket } from './token-bucket';
export type { MillisClock } from './token-bucket';
export { isTrustedCaller, markTrustedCaller, TRUSTED_CALLER_KEY } from './trusted-caller';
export { OT_TRACESTATE_KEY, RANDOMNESS_SUBKEY, readOtEntry, THRESHOLD_SUBKEY, withOtSubkey } from './ot-tracestate';
export {
  decodeThreshold,
  DEFAULT_THRESHOLD_PRECISION,
  encodeThreshold,
  isKept,
  probabilityToThreshold,
  randomnessOf,
  thresholdToProbability,
} from './threshold';
