import type { Context, TraceState } from '@opentelemetry/api';
import { createTraceState, ROOT_CONTEXT, SamplingDecision, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { ConsistentProbabilitySampler } from '../../../src/pipeline/sampling/consistent-probability-sampler';

/** A trace id whose right-most 56 bits are `randomness` (14 hex digits). */
function traceIdWith(randomness: string): string {
  return '0af7651916cd43dd84' + randomness;
}

function withParent(traceState: TraceState | undefined, traceId = traceIdWith('00000000000001')): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED | 0x02, isRemote: true, traceState });
}

function decide(sampler: ConsistentProbabilitySampler, traceId: string, context: Context = ROOT_CONTEXT) {
  return sampler.shouldSample(context, traceId, 'span', SpanKind.INTERNAL, {}, []);
}

describe('ConsistentProbabilitySampler', () => {
  test('100 %: every root is sampled and records th:0', () => {
    const sampler = new ConsistentProbabilitySampler(1);
    const result = decide(sampler, traceIdWith('00000000000000'));
    expect(result.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(result.traceState?.serialize()).toBe('ot=th:0');
  });

  test('50 %: sampled iff R >= 0x80000000000000, recording th:8', () => {
    const sampler = new ConsistentProbabilitySampler(0.5);
    const kept = decide(sampler, traceIdWith('80000000000000'));
    expect(kept.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(kept.traceState?.get('ot')).toBe('th:8');
    const dropped = decide(sampler, traceIdWith('7fffffffffffff'));
    expect(dropped.decision).toBe(SamplingDecision.NOT_RECORD);
    expect(dropped.traceState).toBeUndefined();
  });

  test('25 %: th:c, boundary at 0xc0000000000000', () => {
    const sampler = new ConsistentProbabilitySampler(0.25);
    expect(decide(sampler, traceIdWith('c0000000000000')).traceState?.get('ot')).toBe('th:c');
    expect(decide(sampler, traceIdWith('bfffffffffffff')).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  test('only the right-most 56 bits count, not the leading bytes', () => {
    const sampler = new ConsistentProbabilitySampler(0.5);
    expect(decide(sampler, 'ffffffffffffffffff' + '00000000000001').decision).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(sampler, '000000000000000001' + 'f0000000000000').decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  test('0 %: nothing sampled, no threshold', () => {
    const sampler = new ConsistentProbabilitySampler(0);
    expect(decide(sampler, traceIdWith('ffffffffffffff')).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  test('rv from the ot entry is the randomness when present, and stays in tracestate', () => {
    const sampler = new ConsistentProbabilitySampler(0.5);
    // Trace id randomness says drop, rv says keep.
    const traceId = traceIdWith('00000000000001');
    const state = createTraceState('ot=rv:c0000000000000,vendor=x');
    const kept = decide(sampler, traceId, withParent(state, traceId));
    expect(kept.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(kept.traceState?.serialize()).toBe('ot=th:8;rv:c0000000000000,vendor=x');
    // And the other way round.
    const low = createTraceState('ot=rv:10000000000000');
    const highTraceId = traceIdWith('ffffffffffffff');
    expect(decide(sampler, highTraceId, withParent(low, highTraceId)).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  test('keeps other ot sub-keys and other vendors, replaces an old threshold, removes it when not sampled', () => {
    const sampler = new ConsistentProbabilitySampler(0.25);
    const state = createTraceState('ot=th:8;foo:bar,congo=t61rcWkgMzE');
    const traceId = traceIdWith('f0000000000000');
    const kept = decide(sampler, traceId, withParent(state, traceId));
    expect(kept.traceState?.serialize()).toBe('ot=th:c;foo:bar,congo=t61rcWkgMzE');
    const lowTraceId = traceIdWith('00000000000001');
    const dropped = decide(sampler, lowTraceId, withParent(state, lowTraceId));
    expect(dropped.decision).toBe(SamplingDecision.NOT_RECORD);
    expect(dropped.traceState?.serialize()).toBe('ot=foo:bar,congo=t61rcWkgMzE');
  });

  test('an ot entry holding only th disappears when the span is not sampled', () => {
    const sampler = new ConsistentProbabilitySampler(0);
    const result = decide(sampler, traceIdWith('ffffffffffffff'), withParent(createTraceState('ot=th:0,a=b')));
    expect(result.traceState?.serialize()).toBe('a=b');
  });

  test('the decision is consistent: kept at p implies kept at every larger p', () => {
    const ratios = [0.01, 0.1, 0.25, 0.5, 0.9, 1];
    for (let i = 0; i < 200; i++) {
      const randomness = Math.floor(Math.random() * 2 ** 52).toString(16).padStart(14, '0');
      const decisions = ratios.map((ratio) => decide(new ConsistentProbabilitySampler(ratio), traceIdWith(randomness)).decision);
      const firstKept = decisions.indexOf(SamplingDecision.RECORD_AND_SAMPLED);
      expect(decisions.slice(firstKept).every((decision) => decision === SamplingDecision.RECORD_AND_SAMPLED)).toBe(true);
    }
  });

  test('samples close to the configured fraction of random trace ids', () => {
    const sampler = new ConsistentProbabilitySampler(0.25);
    let kept = 0;
    const total = 20_000;
    for (let i = 0; i < total; i++) {
      const id = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
      if (decide(sampler, id).decision === SamplingDecision.RECORD_AND_SAMPLED) kept++;
    }
    expect(kept / total).toBeGreaterThan(0.22);
    expect(kept / total).toBeLessThan(0.28);
  });
});
