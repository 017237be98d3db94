import type { Attributes, Context, Link, SpanContext, SpanKind } from '@opentelemetry/api';
import { isSpanContextValid, SamplingDecision, trace, TraceFlags } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { notSampled } from './consistent-probability-sampler';
import { RANDOMNESS_SUBKEY, readOtEntry, THRESHOLD_SUBKEY, withOtSubkey } from './ot-tracestate';
import { decodeThreshold, isKept, randomnessOf } from './threshold';
import type { MillisClock } from './token-bucket';
import { TokenBucket } from './token-bucket';
import { isTrustedCaller } from './trusted-caller';

export interface ParentBasedSamplerOptions {
  /** Decides spans without a parent, and remote sampled parents past the inbound limit. */
  root: Sampler;
  /**
   * Remote `sampled=1` decisions from untrusted callers honoured per second (token bucket);
   * past it the root sampler decides as if the caller had not asked. Default: no limit.
   */
  maxInboundSampledPerSecond?: number;
  /** Clock for the limit, in milliseconds (tests inject one). */
  now?: MillisClock;
}

/**
 * Follows the parent's decision and its `ot=th` threshold, with two guards the specs ask for:
 * anonymous callers cannot force sampling past a rate (a denial-of-service and billing risk),
 * and a threshold inconsistent with the trace's randomness, or on an unsampled span, is erased.
 */
export class ParentBasedSampler implements Sampler {
  private readonly root: Sampler;
  private readonly inboundLimit: TokenBucket;
  private limited = 0;

  constructor(options: ParentBasedSamplerOptions) {
    this.root = options.root;
    this.inboundLimit = new TokenBucket(options.maxInboundSampledPerSecond ?? Infinity, options.now);
  }

  /** Remote sampled decisions that were over the limit and went to the root sampler. */
  get inboundLimitedCount(): number {
    return this.limited;
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (!parent || !isSpanContextValid(parent)) {
      return this.root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    }
    if ((parent.traceFlags & TraceFlags.SAMPLED) === 0) return notSampled(parent.traceState);
    if (parent.isRemote && !isTrustedCaller(context) && !this.inboundLimit.tryTake()) {
      this.limited++;
      return this.root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    }
    return followSampledParent(parent, traceId);
  }

  toString(): string {
    return `ParentBasedSampler{root=${this.root.toString()}}`;
  }
}

/** Sampled like the parent; its threshold is kept only when the trace's randomness agrees with it. */
function followSampledParent(parent: SpanContext, traceId: string): SamplingResult {
  const state = parent.traceState;
  const ot = readOtEntry(state);
  if (!state || !ot.has(THRESHOLD_SUBKEY)) return { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState: state };
  const threshold = decodeThreshold(ot.get(THRESHOLD_SUBKEY));
  const consistent = threshold !== undefined && isKept(randomnessOf(traceId, ot.get(RANDOMNESS_SUBKEY)), threshold);
  return {
    decision: SamplingDecision.RECORD_AND_SAMPLED,
    traceState: consistent ? state : withOtSubkey(state, THRESHOLD_SUBKEY, undefined),
  };
}
