// The redaction and baggage rules of one route, compiled by the connectors' rule engine from the
// route's redaction section (a rules file, inline rules, else the strict default). The proxy asks
// two things of them: a Redactor for the route's spans (the pipeline's redact stage calls it), and
// the baggage policy at the boundary (what callers may bring in, what may go to an upstream host,
// what is copied onto the span).
import { RuleEngine, rulesFromRedactionConfig } from '@threadline/connectors';
import type { BaggagePolicy, Environment, RedactionConfig, Redactor } from '@threadline/connectors';

export interface RouteRules {
  readonly redactor: Redactor;
  readonly baggage: BaggagePolicy;
}

/** Compiles rules once per distinct redaction section (most routes share the top-level one). */
export class RouteRulesCompiler {
  private readonly compiled = new Map<string, RouteRules>();

  constructor(private readonly env: Environment) {}

  /** Throws ConfigError naming the rules file's fields when the rules are invalid. */
  compile(redaction: RedactionConfig): RouteRules {
    const key = JSON.stringify(redaction);
    let rules = this.compiled.get(key);
    if (rules === undefined) {
      const compiled = rulesFromRedactionConfig(redaction, this.env);
      rules = { redactor: new RuleEngine(compiled), baggage: compiled.baggage };
      this.compiled.set(key, rules);
    }
    return rules;
  }
}
