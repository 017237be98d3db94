// Helpers for the rule engine's unit tests: rules from a document, spans from the input format.
import type { Attributes } from '@opentelemetry/api';
import type { RedactableParts } from '../../src/pipeline/redact/redactor';
import { compileRules, RuleEngine, type CompiledRules, type CompileRulesOptions, type RedactionRules, type SpanInput } from '../../src/redaction';
import { spanInputToReadable } from '../../src/redaction/span-input';

export function rules(document: RedactionRules, options: CompileRulesOptions = {}): CompiledRules {
  return compileRules({ summary: false, ...document }, options);
}

/** The parts the engine exports for a span. */
export function redact(compiled: CompiledRules, span: SpanInput): RedactableParts {
  return new RuleEngine(compiled).redact(spanInputToReadable(span));
}

/** The exported attributes of a span that has only these attributes. */
export function redactAttributes(compiled: CompiledRules, attributes: Record<string, unknown>, span: Omit<SpanInput, 'attributes'> = {}): Attributes {
  return redact(compiled, { ...span, attributes }).attributes;
}

/** The exported value of one string under the given detectors (summary off). */
export function scrub(document: RedactionRules, value: unknown): unknown {
  return redactAttributes(rules(document), { 'custom.value': value })['custom.value'];
}
