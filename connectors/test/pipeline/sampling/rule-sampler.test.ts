import type { Attributes } from '@opentelemetry/api';
import { ROOT_CONTEXT, SamplingDecision, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { SamplingConfig, SamplingRule } from '../../../src/config/types';
import { ParentBasedSampler } from '../../../src/pipeline/sampling/parent-based-sampler';
import { RuleBasedSampler, wildcardMatcher } from '../../../src/pipeline/sampling/rule-sampler';
import { createSamplerFromConfig } from '../../../src/pipeline/sampling/sampler-from-config';

const ALWAYS_KEPT = '0af7651916cd43dd84' + 'ffffffffffffff'; // kept at any ratio > 0
const MIDDLE = '0af7651916cd43dd84' + '90000000000000'; // kept at 50 %, not at 25 %

function decide(sampler: { shouldSample: RuleBasedSampler['shouldSample'] }, name: string, attributes: Attributes = {}, traceId = ALWAYS_KEPT) {
  return sampler.shouldSample(ROOT_CONTEXT, traceId, name, SpanKind.SERVER, attributes, []);
}

describe('wildcardMatcher', () => {
  test.each([
    ['/health', '/health', true],
    ['/health', '/healthz', false],
    ['/api/*', '/api/orders/7', true],
    ['/api/*', '/api', false],
    ['*', '', true],
    ['GET *', 'GET /x', true],
    ['a*c*e', 'abcde', true],
    ['a.c', 'abc', false],
    ['(x)+', '(x)+', true],
  ])('%p matches %p: %p', (pattern, value, expected) => {
    expect(wildcardMatcher(pattern)(value)).toBe(expected);
  });
});

describe('RuleBasedSampler', () => {
  const rules: SamplingRule[] = [
    { match: { route: '/health*' }, ratio: 0 },
    { match: { spanName: 'GET /orders/*', attributes: { 'tenant.tier': 'gold' } }, ratio: 1 },
    { match: { attributes: { 'http.request.method': 'POST' } }, ratio: 0.25 },
    { match: { service: 'another-service' }, ratio: 0 },
  ];
  const sampler = new RuleBasedSampler(rules, 0.5, 'orders');

  test('route rule, by http.route', () => {
    expect(decide(sampler, 'GET', { 'http.route': '/healthz' }).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  test('every field of a rule must match', () => {
    expect(decide(sampler, 'GET /orders/7', { 'tenant.tier': 'gold' }, MIDDLE).traceState?.get('ot')).toBe('th:0');
    expect(decide(sampler, 'GET /orders/7', { 'tenant.tier': 'silver' }, MIDDLE).traceState?.get('ot')).toBe('th:8');
  });

  test('attribute rule chooses the ratio, decided consistently', () => {
    const post = { 'http.request.method': 'POST' };
    expect(decide(sampler, 'POST /orders', post, MIDDLE).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(sampler, 'POST /orders', post).traceState?.get('ot')).toBe('th:c');
  });

  test('without a matching rule the default ratio applies', () => {
    expect(decide(sampler, 'GET /other', {}, MIDDLE).traceState?.get('ot')).toBe('th:8');
  });

  test("rules for another service are ignored", () => {
    expect(decide(sampler, 'anything', {}).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    const forUs = new RuleBasedSampler([{ match: { service: 'ord*' }, ratio: 0 }], 1, 'orders');
    expect(decide(forUs, 'anything').decision).toBe(SamplingDecision.NOT_RECORD);
  });

  test('a missing attribute never matches, not even "*"', () => {
    const star = new RuleBasedSampler([{ match: { attributes: { 'user.id': '*' } }, ratio: 0 }], 1, 'svc');
    expect(decide(star, 'x').decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(star, 'x', { 'user.id': 42 }).decision).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe('createSamplerFromConfig (OTEL_TRACES_SAMPLER names)', () => {
  const base: SamplingConfig = { sampler: 'parentbased_always_on', ratio: 0.5, rules: [], inbound: { maxSampledPerSecond: 100 } };
  const sampledParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: MIDDLE, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: ALWAYS_KEPT, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true });
  const root = (config: SamplingConfig, traceId: string) => createSamplerFromConfig(config, 'svc').shouldSample(ROOT_CONTEXT, traceId, 'x', SpanKind.INTERNAL, {}, []);
  const child = (config: SamplingConfig, parent = sampledParent, traceId = MIDDLE) =>
    createSamplerFromConfig(config, 'svc').shouldSample(parent, traceId, 'x', SpanKind.INTERNAL, {}, []);

  test.each([
    ['always_on', SamplingDecision.RECORD_AND_SAMPLED],
    ['always_off', SamplingDecision.NOT_RECORD],
    ['traceidratio', SamplingDecision.RECORD_AND_SAMPLED],
    ['parentbased_always_on', SamplingDecision.RECORD_AND_SAMPLED],
    ['parentbased_always_off', SamplingDecision.NOT_RECORD],
    ['parentbased_traceidratio', SamplingDecision.RECORD_AND_SAMPLED],
  ] as const)('%s decides a root (randomness 0x90…, ratio 0.5)', (name, expected) => {
    expect(root({ ...base, sampler: name }, MIDDLE).decision).toBe(expected);
  });

  test('traceidratio uses sampling.ratio', () => {
    expect(root({ ...base, sampler: 'traceidratio', ratio: 0.25 }, MIDDLE).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  test('parentbased_* follow the parent; the others decide independently', () => {
    expect(child({ ...base, sampler: 'parentbased_always_off' }).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(child({ ...base, sampler: 'always_off' }).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(child({ ...base, sampler: 'parentbased_always_on' }, unsampledParent, ALWAYS_KEPT).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(child({ ...base, sampler: 'always_on' }, unsampledParent, ALWAYS_KEPT).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(createSamplerFromConfig(base, 'svc')).toBeInstanceOf(ParentBasedSampler);
  });

  test('rules refine the default the name sets', () => {
    const config: SamplingConfig = { ...base, rules: [{ match: { route: '/health' }, ratio: 0 }] };
    const sampler = createSamplerFromConfig(config, 'svc');
    expect(sampler.shouldSample(ROOT_CONTEXT, ALWAYS_KEPT, 'GET', SpanKind.SERVER, { 'http.route': '/health' }, []).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  test('invalid configurations are refused, naming the field', () => {
    expect(() => createSamplerFromConfig({ ...base, sampler: 'sometimes' as never }, 'svc')).toThrow('sampling.sampler: unknown sampler "sometimes"');
    expect(() => createSamplerFromConfig({ ...base, ratio: 1.5 }, 'svc')).toThrow('sampling.ratio');
    expect(() => createSamplerFromConfig({ ...base, rules: [{ match: {}, ratio: -1 }] }, 'svc')).toThrow('sampling.rules[0].ratio');
  });
});
