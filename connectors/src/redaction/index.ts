// Public API of the redaction and baggage rule engine (rules files: schemas/redaction-rules.schema.json).
//
//   loadRulesFile(file, { env? })              → { rules: CompiledRules, document }   throws ConfigError
//   parseRulesText(text, sourceName, { env? }) → the same from text (YAML or JSON)
//   compileRules(document, { env?, source? })  → CompiledRules                         throws ConfigError
//   rulesFromRedactionConfig(config.redaction) → rulesFile, else inline rules, else the strict default
//   STRICT_DEFAULT_RULES                        the built-in strict default (data, frozen; the one source:
//                                               samples/rules/strict-default.yaml must equal it)
//   strictDefaultRules()                        the same compiled (cached); the pipeline's default
//   new RuleEngine(rulesOrHolder)               the pipeline's Redactor: redact(span) → parts
//   new RulesHolder(initial?)                   atomic reload: load(file) / reload() → RulesLoadResult
//   rules.baggage: BaggagePolicy                filterInbound / filterOutbound(baggage, host) / spanAttributes
//   parseSpanText(text, name) / parseSpanInput  span JSON (or YAML) for explain: the `testSpan` shape of
//                                               the rules schema; span records and decoded OTLP spans fit
//   explainSpan(rules, span)                    dry run: every name/attribute before, after, and the rule
//   runRuleTests(rules)                         the file's `tests:` → { passed, failed, cases }
//
// Captured bodies: `http.request.body` / `http.response.body` hold the body text; the rules turn
// it into one attribute per allowed JSON Pointer (`http.request.body/order/id`), see body-fields.ts.
export { RULES_SCHEMA_ID } from './rules-document';
export type * from './rules-document';
export { compileRules, RULES_SUBJECT, type CompiledRules, type CompileRulesOptions } from './compile';
export { loadRulesFile, parseRulesText, rulesFromRedactionConfig, type LoadedRules, type LoadRulesOptions } from './load';
export { STRICT_DEFAULT_RULES, strictDefaultRules } from './strict-default';
export { RuleEngine, type RulesSource } from './engine';
export { BaggagePolicy, BAGGAGE_ATTRIBUTE_PREFIX } from './baggage-policy';
export { RulesHolder, type RulesLoadResult } from './rules-holder';
export { explainSpan, type SpanExplanation, type ExplainedChange, type SpanPart } from './explain';
export { parseSpanInput, parseSpanText, SPAN_INPUT_SCHEMA_REF, type SpanInput } from './span-input';
export { runRuleTests, type RuleTestReport, type RuleTestResult } from './rule-tests';
export {
  ATTR_REDACTION_COUNT,
  ATTR_REDACTION_KEYS,
  REDACTED,
  REDACTED_USER_INFO,
  HASH_PREFIX,
  MAX_SUMMARY_KEYS,
} from './constants';
export { redactQuery, redactUrl, UrlRules, type UrlRulesOptions } from './url';
export { ATTR_REQUEST_BODY, ATTR_RESPONSE_BODY, DEFAULT_BODY_MAX_BYTES } from './body-fields';
export { DEFAULT_API_KEY_PREFIXES, defineDetector, luhnValid, ibanValid, shannonEntropy, type Detector, type MatchSink, type ValueRule } from './detectors';
export { compileAction, type CompiledAction, type HashSettings } from './actions';
export type { ValueFeatures } from './value-features';
