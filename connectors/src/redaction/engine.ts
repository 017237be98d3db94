// The rule engine as the pipeline's Redactor. It reads the rules in force for every span from
// its source, so a RulesHolder can swap them atomically while spans flow.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { RedactableParts, Redactor } from '../pipeline/redact/redactor';
import { ruleSetOf, type CompiledRules } from './compile';
import { redactSpan } from './span-redaction';

/** Where the engine reads the rules in force (a RulesHolder, or fixed rules). */
export interface RulesSource {
  readonly current: CompiledRules;
}

function isSource(rules: CompiledRules | RulesSource): rules is RulesSource {
  return 'current' in rules;
}

export class RuleEngine implements Redactor {
  private readonly source: RulesSource;

  constructor(rules: CompiledRules | RulesSource) {
    this.source = isSource(rules) ? rules : { current: rules };
  }

  /** The rules in force now. */
  get rules(): CompiledRules {
    return this.source.current;
  }

  /**
   * The span's parts under the rules in force. A rule that fails drops what it was applied to and
   * is counted in `failures`; only a fault outside any rule (bad rules object) throws, and the
   * pipeline then fails closed for the whole span.
   */
  redact(span: ReadableSpan): RedactableParts {
    return redactSpan(ruleSetOf(this.source.current), span);
  }
}
