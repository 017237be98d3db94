import type { Attributes, Context, Link, SpanContext, SpanKind, TraceState } from '@opentelemetry/api';
import { isSpanContextValid, SamplingDecision, trace, TraceFlags } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { FLAG_SAMPLED } from '../../propagation/traceparent';
import { notSampled } from './consistent-probability-sampler';
import { RANDOMNESS_SUBKEY, readOtEntry, THRESHOLD_SUBKEY, withOtSubkey } from './ot-tracestate';
import { decodeThreshold, isKept, randomnessOf } from './threshold';
import type { MillisClock } from './token-bucket';
import { TokenBucket } from './token-bucket';
import { isTrustedCaller } from './trusted-caller';

/**
 * A sampler that can decide for the child of a span this process opened itself without a
 * Context: the parent's ids are known valid and the parent is local, so nothing but its flags and
 * tracestate matter. The span record opener uses it for children of records it vouches for.
 */
export interface LocalParentSampler extends Sampler {
  shouldSampleLocalChild(parent: SpanContext, traceId: string): SamplingResult;
}

export function isLocalParentSampler(sampler: Sampler): sampler is LocalParentSampler {
  return typeof (sampler as Partial<LocalParentSampler>).shouldSampleLocalChild === 'function';
}

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
export class ParentBasedSampler implements LocalParentSampler {
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

  /** shouldSample for a valid, local parent (isRemote is not looked at: a local parent is never limited). */
  shouldSampleLocalChild(parent: SpanContext, traceId: string): SamplingResult {
    if ((parent.traceFlags & FLAG_SAMPLED) === 0) return notSampled(parent.traceState);
    return followSampledParent(parent, traceId);
  }

  toString(): string {
    return `ParentBasedSampler{root=${this.root.toString()}}`;
  }
}

/** What the `ot` entry of a tracestate says about sampling, read once per TraceState object. */
interface OtSampling {
  /** The entry has a `th` sub-key (valid or not). */
  hasThreshold: boolean;
  /** The threshold as 14 digits; undefined when absent or malformed. */
  threshold: string | undefined;
  rv: string | undefined;
  /** The tracestate without `th`, made when first needed. */
  withoutThreshold?: TraceState;
  /** The decision that keeps this tracestate, made once (decisions are read, never changed). */
  keep?: SamplingResult;
}

const SAMPLED_WITHOUT_STATE: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED, traceState: undefined });

/** A threshold of zero keeps every trace, whatever its randomness. */
const ZERO_THRESHOLD = decodeThreshold('0');

/**
 * By TraceState object (they are immutable): a parent's and its children's spans share the
 * object, and roots of one sampler share theirs, so the entry is parsed once, not once per span.
 */
const otSampling = new WeakMap<TraceState, OtSampling>();

function otSamplingOf(state: TraceState): OtSampling {
  let facts = otSampling.get(state);
  if (facts === undefined) {
    const ot = readOtEntry(state);
    facts = { hasThreshold: ot.has(THRESHOLD_SUBKEY), threshold: decodeThreshold(ot.get(THRESHOLD_SUBKEY)), rv: ot.get(RANDOMNESS_SUBKEY) };
    otSampling.set(state, facts);
  }
  return facts;
}

/** Sampled like the parent; its threshold is kept only when the trace's randomness agrees with it. */
function followSampledParent(parent: SpanContext, traceId: string): SamplingResult {
  const state = parent.traceState;
  if (state === undefined) return SAMPLED_WITHOUT_STATE;
  const ot = otSamplingOf(state);
  const threshold = ot.threshold;
  const consistent = !ot.hasThreshold || (threshold !== undefined && (threshold === ZERO_THRESHOLD || isKept(randomnessOf(traceId, ot.rv), threshold)));
  if (consistent) return (ot.keep ??= Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED, traceState: state }));
  ot.withoutThreshold ??= withOtSubkey(state, THRESHOLD_SUBKEY, undefined);
  return { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState: ot.withoutThreshold };
}
