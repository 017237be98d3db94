import type { Attributes, Context, Link, SpanKind, TraceState } from '@opentelemetry/api';
import { diag, SamplingDecision, trace } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { FLAG_RANDOM } from '../../propagation/traceparent';
import { StrictTraceState } from '../../propagation/tracestate';
import { RANDOMNESS_SUBKEY, readOtEntry, THRESHOLD_SUBKEY, withOtSubkey } from './ot-tracestate';
import { encodeThreshold, isKept, isValidRandomness, probabilityToThreshold, randomnessOf } from './threshold';

/**
 * Independent, consistent probability decision: sample iff R >= T, where R is the trace's 56-bit
 * randomness and T the rejection threshold of `ratio`; a sampled span records `ot=th:<T>`.
 *
 * Not OpenTelemetry core's TraceIdRatioBasedSampler: that one XORs the 32-bit words of the whole
 * trace id and compares the result with ratio * 2^32, ignores `rv` and writes no `th`, so its
 * decisions neither agree with other SDKs and collectors nor tell them the probability used.
 */
export class ConsistentProbabilitySampler implements Sampler {
  readonly ratio: number;
  /** 14-digit threshold; undefined when ratio is 0 (never sample). */
  readonly threshold: string | undefined;
  /**
   * The tracestate of a sampled root, made once: TraceState values are immutable. A strict one, so
   * the W3C propagator writes its cached text instead of checking a foreign TraceState again on
   * every injection.
   */
  private readonly rootTraceState: TraceState | undefined;
  private warnedAboutRandomFlag = false;

  constructor(ratio: number, precision?: number) {
    this.ratio = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
    this.threshold = probabilityToThreshold(this.ratio, precision);
    this.rootTraceState =
      this.threshold === undefined ? undefined : withOtSubkey(StrictTraceState.empty(), THRESHOLD_SUBKEY, encodeThreshold(this.threshold));
  }

  shouldSample(
    context: Context,
    traceId: string,
    _spanName?: string,
    _spanKind?: SpanKind,
    _attributes?: Attributes,
    _links?: Link[],
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    const parentState = parent?.traceState;
    if (this.threshold === undefined) return notSampled(parentState);
    const rv = readOtEntry(parentState).get(RANDOMNESS_SUBKEY);
    if (parent?.isRemote && !isValidRandomness(rv) && (parent.traceFlags & FLAG_RANDOM) === 0) {
      this.warnOnceAboutRandomFlag();
    }
    if (!isKept(randomnessOf(traceId, rv), this.threshold)) return notSampled(parentState);
    return {
      decision: SamplingDecision.RECORD_AND_SAMPLED,
      traceState: parentState ? withOtSubkey(parentState, THRESHOLD_SUBKEY, encodeThreshold(this.threshold)) : this.rootTraceState,
    };
  }

  toString(): string {
    const th = this.threshold === undefined ? 'never' : encodeThreshold(this.threshold);
    return `ConsistentProbabilitySampler{ratio=${this.ratio}, th=${th}}`;
  }

  private warnOnceAboutRandomFlag(): void {
    if (this.warnedAboutRandomFlag) return;
    this.warnedAboutRandomFlag = true;
    diag.warn(
      'ConsistentProbabilitySampler: a caller sent a trace without the random flag and without ot=rv; ' +
        'its trace id is presumed random for the sampling decision',
    );
  }
}

/** A span not sampled carries no threshold: its probability is not known downstream. */
export function notSampled(parentState: TraceState | undefined): SamplingResult {
  return {
    decision: SamplingDecision.NOT_RECORD,
    traceState: parentState && withOtSubkey(parentState, THRESHOLD_SUBKEY, undefined),
  };
}
