import type { Context, TraceState } from '@opentelemetry/api';
import { createTraceState, ROOT_CONTEXT, SamplingDecision, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { ConsistentProbabilitySampler } from '../../../src/pipeline/sampling/consistent-probability-sampler';
import { ParentBasedSampler } from '../../../src/pipeline/sampling/parent-based-sampler';
import { markTrustedCaller } from '../../../src/pipeline/sampling/trusted-caller';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c'; // randomness 48eb211c80319c

function parentContext(options: { sampled: boolean; remote: boolean; traceState?: TraceState; traceId?: string }): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: options.traceId ?? TRACE_ID,
    spanId: 'b7ad6b7169203331',
    traceFlags: options.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: options.remote,
    traceState: options.traceState,
  });
}

function decide(sampler: ParentBasedSampler, context: Context, traceId = TRACE_ID) {
  return sampler.shouldSample(context, traceId, 'span', SpanKind.SERVER, {}, []);
}

class FakeClock {
  millis = 0;
  readonly now = (): number => this.millis;
}

describe('ParentBasedSampler', () => {
  test('a root is decided by the root sampler', () => {
    const sampler = new ParentBasedSampler({ root: new ConsistentProbabilitySampler(1) });
    const result = decide(sampler, ROOT_CONTEXT);
    expect(result.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(result.traceState?.serialize()).toBe('ot=th:0');
    expect(decide(new ParentBasedSampler({ root: new AlwaysOffSampler() }), ROOT_CONTEXT).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  test.each([true, false])('a sampled parent (remote=%p) is followed, even with an always-off root', (remote) => {
    const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    expect(decide(sampler, parentContext({ sampled: true, remote })).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  test.each([true, false])('an unsampled parent (remote=%p) is followed and its threshold removed', (remote) => {
    const sampler = new ParentBasedSampler({ root: new ConsistentProbabilitySampler(1) });
    const result = decide(sampler, parentContext({ sampled: false, remote, traceState: createTraceState('ot=th:8;rv:01234567890abc,x=y') }));
    expect(result.decision).toBe(SamplingDecision.NOT_RECORD);
    expect(result.traceState?.serialize()).toBe('ot=rv:01234567890abc,x=y');
  });

  test("a consistent parent threshold is propagated unchanged", () => {
    const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    const state = createTraceState('ot=th:4,x=y'); // 0x48eb… >= 0x40…: consistent
    expect(decide(sampler, parentContext({ sampled: true, remote: true, traceState: state })).traceState).toBe(state);
  });

  test('an inconsistent parent threshold is erased, the decision still follows the parent', () => {
    const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    const result = decide(sampler, parentContext({ sampled: true, remote: true, traceState: createTraceState('ot=th:c;foo:1') }));
    expect(result.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(result.traceState?.serialize()).toBe('ot=foo:1');
  });

  test('an unreadable parent threshold is erased', () => {
    const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    const result = decide(sampler, parentContext({ sampled: true, remote: true, traceState: createTraceState('ot=th:XYZ') }));
    expect(result.traceState?.get('ot')).toBeUndefined();
  });

  test('the consistency check uses rv when present', () => {
    const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    const state = createTraceState('ot=th:c;rv:d0000000000000');
    expect(decide(sampler, parentContext({ sampled: true, remote: true, traceState: state })).traceState).toBe(state);
  });

  describe('inbound limit', () => {
    test('honours N remote sampled decisions per second from untrusted callers, then asks the root sampler', () => {
      const clock = new FakeClock();
      const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler(), maxInboundSampledPerSecond: 3, now: clock.now });
      const remote = parentContext({ sampled: true, remote: true });
      const decisions = Array.from({ length: 5 }, () => decide(sampler, remote).decision);
      expect(decisions).toEqual([
        SamplingDecision.RECORD_AND_SAMPLED,
        SamplingDecision.RECORD_AND_SAMPLED,
        SamplingDecision.RECORD_AND_SAMPLED,
        SamplingDecision.NOT_RECORD,
        SamplingDecision.NOT_RECORD,
      ]);
      expect(sampler.inboundLimitedCount).toBe(2);
      // One third of a second later one more token has come back.
      clock.millis += 334;
      expect(decide(sampler, remote).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
      expect(decide(sampler, remote).decision).toBe(SamplingDecision.NOT_RECORD);
      // After a long pause the bucket refills only up to one second's worth.
      clock.millis += 60_000;
      const burst = Array.from({ length: 5 }, () => decide(sampler, remote).decision);
      expect(burst.filter((d) => d === SamplingDecision.RECORD_AND_SAMPLED)).toHaveLength(3);
    });

    test('past the limit the root sampler decides as for a new trace, with its own threshold', () => {
      const sampler = new ParentBasedSampler({ root: new ConsistentProbabilitySampler(0.5), maxInboundSampledPerSecond: 0 });
      const keptId = '0af7651916cd43dd84' + 'f0000000000000';
      const kept = decide(sampler, parentContext({ sampled: true, remote: true, traceId: keptId, traceState: createTraceState('ot=th:0') }), keptId);
      expect(kept.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
      expect(kept.traceState?.get('ot')).toBe('th:8');
      const droppedId = '0af7651916cd43dd84' + '00000000000001';
      expect(decide(sampler, parentContext({ sampled: true, remote: true, traceId: droppedId }), droppedId).decision).toBe(SamplingDecision.NOT_RECORD);
    });

    test('trusted callers and local parents are not limited', () => {
      const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler(), maxInboundSampledPerSecond: 0 });
      const trusted = markTrustedCaller(parentContext({ sampled: true, remote: true }));
      const local = parentContext({ sampled: true, remote: false });
      for (let i = 0; i < 10; i++) {
        expect(decide(sampler, trusted).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
        expect(decide(sampler, local).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
      }
      expect(sampler.inboundLimitedCount).toBe(0);
    });

    test('trust is a context value, not an attribute a caller could send', () => {
      const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler(), maxInboundSampledPerSecond: 0 });
      const result = sampler.shouldSample(parentContext({ sampled: true, remote: true }), TRACE_ID, 'span', SpanKind.SERVER, { 'threadline.trusted-caller': true }, []);
      expect(result.decision).toBe(SamplingDecision.NOT_RECORD);
    });

    test('unsampled remote parents do not use up the limit', () => {
      const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler(), maxInboundSampledPerSecond: 1, now: () => 0 });
      for (let i = 0; i < 5; i++) decide(sampler, parentContext({ sampled: false, remote: true }));
      expect(decide(sampler, parentContext({ sampled: true, remote: true })).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    });
  });

  describe('children of a local parent (shouldSampleLocalChild)', () => {
    const local = (sampled: boolean, traceState?: TraceState, traceId = TRACE_ID) =>
      ({ traceId, spanId: 'b7ad6b7169203331', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, traceState });

    test.each([
      ['no tracestate', undefined],
      ['no ot entry', 'x=y'],
      ['a consistent threshold', 'ot=th:4,x=y'],
      ['an inconsistent threshold', 'ot=th:c;foo:1'],
      ['an unreadable threshold', 'ot=th:zz;rv:01234567890abc'],
      ['a threshold checked against rv', 'ot=th:8;rv:01234567890abc'],
    ])('decides as shouldSample does for a local parent: %s', (_case, text) => {
      const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler(), maxInboundSampledPerSecond: 0 });
      for (const sampled of [true, false]) {
        const state = text === undefined ? undefined : createTraceState(text);
        const viaContext = decide(sampler, parentContext({ sampled, remote: false, traceState: state }));
        const direct = sampler.shouldSampleLocalChild(local(sampled, state), TRACE_ID);
        expect(direct.decision).toBe(viaContext.decision);
        expect(direct.traceState?.serialize()).toBe(viaContext.traceState?.serialize());
      }
    });

    test('a tracestate shared by many traces is judged by each trace id', () => {
      const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
      const state = createTraceState('ot=th:8'); // kept iff the trace's randomness >= 0x8…
      const kept = sampler.shouldSampleLocalChild(local(true, state, '0af7651916cd43dd0088eb211c80319c'), '0af7651916cd43dd0088eb211c80319c');
      const erased = sampler.shouldSampleLocalChild(local(true, state, '0af7651916cd43dd0018eb211c80319c'), '0af7651916cd43dd0018eb211c80319c');
      const keptAgain = sampler.shouldSampleLocalChild(local(true, state, '0af7651916cd43dd0098eb211c80319c'), '0af7651916cd43dd0098eb211c80319c');
      expect(kept.traceState).toBe(state);
      expect(erased.traceState?.serialize()).toBe('');
      expect(keptAgain.traceState).toBe(state);
      // following the erased state again changes nothing
      expect(sampler.shouldSampleLocalChild(local(true, erased.traceState), TRACE_ID).traceState).toBe(erased.traceState);
    });
  });
});
