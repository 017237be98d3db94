import type { Attributes, AttributeValue, Context, Link, SpanKind } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { SamplingRule } from '../../config/types';
import { ConsistentProbabilitySampler } from './consistent-probability-sampler';

/** The regular expression source (unanchored) of a wildcard: `*` is any run of characters, the rest literal. */
export function wildcardSource(pattern: string): string {
  return pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
}

/** `*` matches any run of characters (also none); everything else is literal. */
export function wildcardMatcher(pattern: string): (value: string) => boolean {
  if (!pattern.includes('*')) return (value) => value === pattern;
  if (pattern === '*') return () => true;
  const regex = new RegExp(`^${wildcardSource(pattern)}$`, 's');
  return (value) => regex.test(value);
}

function attributeText(value: AttributeValue | undefined): string | undefined {
  if (value === undefined || value === null || Array.isArray(value)) return undefined;
  return String(value);
}

interface CompiledRule {
  matches(spanName: string, attributes: Attributes): boolean;
  sampler: ConsistentProbabilitySampler;
}

function compileRule(rule: SamplingRule): CompiledRule {
  const checks: ((spanName: string, attributes: Attributes) => boolean)[] = [];
  const { route, spanName, attributes } = rule.match;
  if (route !== undefined) {
    const matchRoute = wildcardMatcher(route);
    checks.push((_name, attrs) => {
      const value = attributeText(attrs[ATTR_HTTP_ROUTE]);
      return value !== undefined && matchRoute(value);
    });
  }
  if (spanName !== undefined) {
    const matchName = wildcardMatcher(spanName);
    checks.push((name) => matchName(name));
  }
  for (const [key, pattern] of Object.entries(attributes ?? {})) {
    const matchValue = wildcardMatcher(pattern);
    checks.push((_name, attrs) => {
      const value = attributeText(attrs[key]);
      return value !== undefined && matchValue(value);
    });
  }
  return {
    matches: (name, attrs) => checks.every((check) => check(name, attrs)),
    sampler: new ConsistentProbabilitySampler(rule.ratio),
  };
}

/**
 * Chooses the probability by rule: the first rule whose every field matches the span (its name
 * and the attributes given at start) decides with its ratio, else the default ratio. Rules for
 * another service are left out once, at construction. Each decision stays consistent: the rule
 * picks a threshold, never looks at the randomness.
 */
export class RuleBasedSampler implements Sampler {
  private readonly rules: CompiledRule[];
  private readonly fallback: ConsistentProbabilitySampler;

  constructor(rules: readonly SamplingRule[], defaultRatio: number, serviceName: string) {
    this.rules = rules
      .filter((rule) => rule.match.service === undefined || wildcardMatcher(rule.match.service)(serviceName))
      .map(compileRule);
    this.fallback = new ConsistentProbabilitySampler(defaultRatio);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const attrs = attributes ?? {};
    const rule = this.rules.find((candidate) => candidate.matches(spanName, attrs));
    return (rule?.sampler ?? this.fallback).shouldSample(context, traceId, spanName, spanKind, attrs, links);
  }

  toString(): string {
    return `RuleBasedSampler{rules=${this.rules.length}, default=${this.fallback.toString()}}`;
  }
}
