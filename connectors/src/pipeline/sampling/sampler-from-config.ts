import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { SamplerName, SamplingConfig } from '../../config/types';
import { ParentBasedSampler } from './parent-based-sampler';
import { RuleBasedSampler } from './rule-sampler';
import type { MillisClock } from './token-bucket';

/** Default probability each `OTEL_TRACES_SAMPLER` name stands for; rules refine it. */
function defaultRatioOf(name: SamplerName, ratio: number): number {
  switch (name) {
    case 'always_on':
    case 'parentbased_always_on':
      return 1;
    case 'always_off':
    case 'parentbased_always_off':
      return 0;
    case 'traceidratio':
    case 'parentbased_traceidratio':
      return ratio;
  }
}

/** Every sampler name OTEL_TRACES_SAMPLER and the config file accept. */
export const SAMPLER_NAMES: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

function checkRatio(value: number, path: string): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new Error(`${path}: expected a probability between 0 and 1, got ${String(value)}`);
  }
}

/**
 * The sampler a configuration describes. `parentbased_*` names follow the caller (with the
 * inbound limit) and decide roots by rule; the other names decide every span by rule. The name
 * sets the default ratio: 1 for *always_on, 0 for *always_off, `sampling.ratio` for *traceidratio.
 * Throws, naming the field, on a configuration the schema should have rejected.
 */
export function createSamplerFromConfig(sampling: SamplingConfig, serviceName: string, now?: MillisClock): Sampler {
  if (!SAMPLER_NAMES.includes(sampling.sampler)) {
    throw new Error(`sampling.sampler: unknown sampler "${String(sampling.sampler)}" (expected one of ${SAMPLER_NAMES.join(', ')})`);
  }
  checkRatio(sampling.ratio, 'sampling.ratio');
  sampling.rules.forEach((rule, index) => checkRatio(rule.ratio, `sampling.rules[${index}].ratio`));

  const root = new RuleBasedSampler(sampling.rules, defaultRatioOf(sampling.sampler, sampling.ratio), serviceName);
  if (!sampling.sampler.startsWith('parentbased_')) return root;
  return new ParentBasedSampler({ root, maxInboundSampledPerSecond: sampling.inbound.maxSampledPerSecond, now });
}
