// The test cases an admin writes in a rules file (`tests:`), run against the compiled rules:
// what `threadline rules test` reports, so rule changes are checked in CI.
import type { Attributes, Baggage } from '@opentelemetry/api';
import { parseBaggage } from '../propagation/baggage';
import { W3CBaggage } from '../propagation/w3c-baggage';
import { BAGGAGE_ATTRIBUTE_PREFIX } from './baggage-policy';
import { ruleSetOf, type CompiledRules } from './compile';
import type { RuleTestCase } from './rules-document';
import { spanInputToReadable, type SpanInput } from './span-input';
import { redactSpan } from './span-redaction';

export interface RuleTestResult {
  name: string;
  ok: boolean;
  /** The case's `expect`. */
  expected: unknown;
  /** The same fields as found, for comparison. */
  actual: unknown;
  /** What did not match, one line each, when not ok. */
  message?: string;
}

export interface RuleTestReport {
  passed: number;
  failed: number;
  cases: RuleTestResult[];
}

type Expected = RuleTestCase['expect'];

/** Equality of attribute values and JSON data (arrays by element, objects by key). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return false;
}

function describe(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** Compares expected key → value (null: absent) with actual attributes; returns found values and mismatch lines. */
function compareMap(label: string, expected: Record<string, unknown>, actual: Record<string, unknown>, problems: string[]): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const [key, want] of Object.entries(expected)) {
    const has = Object.prototype.hasOwnProperty.call(actual, key) && actual[key] !== undefined;
    found[key] = has ? actual[key] : null;
    if (want === null ? has : !has || !sameValue(actual[key], want)) {
      problems.push(`${label} ${key}: expected ${want === null ? '(absent)' : describe(want)}, got ${describe(has ? actual[key] : undefined)}`);
    }
  }
  return found;
}

function baggageMap(baggage: Baggage, keys: readonly string[]): Record<string, string | null> {
  const result: Record<string, string | null> = {};
  for (const key of keys) result[key] = baggage.getEntry(key)?.value ?? null;
  return result;
}

function runBaggageCase(rules: CompiledRules, testCase: RuleTestCase, problems: string[]): unknown {
  const given = testCase.given.baggage!;
  const expected = testCase.expect.baggage ?? {};
  const baggage = parseBaggage(given.header) ?? W3CBaggage.empty();
  let actual: Record<string, string | null>;
  if (given.direction === 'inbound') {
    actual = baggageMap(rules.baggage.filterInbound(baggage), Object.keys(expected));
  } else if (given.direction === 'outbound') {
    if (given.destination === undefined) {
      problems.push('given.baggage.destination is needed for direction outbound');
      return {};
    }
    actual = baggageMap(rules.baggage.filterOutbound(baggage, given.destination), Object.keys(expected));
  } else {
    // Copied onto a span, then redacted like any attribute: the exported value counts.
    const attributes = rules.baggage.spanAttributes(baggage);
    const redacted = redactSpan(ruleSetOf(rules), spanInputToReadable({ attributes: attributes as Record<string, unknown> })).attributes;
    actual = {};
    for (const key of Object.keys(expected)) {
      const value = redacted[BAGGAGE_ATTRIBUTE_PREFIX + key];
      actual[key] = value === undefined ? null : String(value);
    }
  }
  for (const [key, want] of Object.entries(expected)) {
    if (actual[key] !== want) problems.push(`baggage ${key}: expected ${want === null ? '(stripped)' : JSON.stringify(want)}, got ${actual[key] === null ? '(stripped)' : JSON.stringify(actual[key])}`);
  }
  return { baggage: actual };
}

function runSpanCase(rules: CompiledRules, testCase: RuleTestCase, problems: string[]): unknown {
  const input: SpanInput = testCase.given.span ?? { attributes: testCase.given.attributes ?? {} };
  const result = redactSpan(ruleSetOf(rules), spanInputToReadable(input));
  const expect: Expected = testCase.expect;
  const actual: Record<string, unknown> = {};
  if (expect.attributes !== undefined) actual.attributes = compareMap('attribute', expect.attributes, result.attributes, problems);
  if (expect.name !== undefined) {
    actual.name = result.name;
    if (result.name !== expect.name) problems.push(`name: expected ${JSON.stringify(expect.name)}, got ${JSON.stringify(result.name)}`);
  }
  if (expect.events !== undefined) {
    actual.events = expect.events.map((want, index) => {
      const event = result.events[index];
      if (event === undefined) {
        problems.push(`event ${index}: missing`);
        return null;
      }
      const found: Record<string, unknown> = {};
      if (want.name !== undefined) {
        found.name = event.name;
        if (event.name !== want.name) problems.push(`event ${index} name: expected ${JSON.stringify(want.name)}, got ${JSON.stringify(event.name)}`);
      }
      if (want.attributes !== undefined) found.attributes = compareMap(`event ${index} attribute`, want.attributes, (event.attributes ?? {}) as Attributes, problems);
      return found;
    });
  }
  if (expect.resource !== undefined) actual.resource = compareMap('resource attribute', expect.resource, result.resource.attributes as Attributes, problems);
  if (expect.statusMessage !== undefined) {
    const message = result.status.message ?? null;
    actual.statusMessage = message;
    if (message !== expect.statusMessage) problems.push(`status message: expected ${JSON.stringify(expect.statusMessage)}, got ${JSON.stringify(message)}`);
  }
  if (expect.notContains !== undefined) {
    const exported = JSON.stringify({
      name: result.name,
      attributes: result.attributes,
      events: result.events.map((event) => ({ name: event.name, attributes: event.attributes })),
      links: result.links.map((link) => link.attributes),
      status: result.status.message,
      resource: result.resource.attributes,
    });
    const leaked = expect.notContains.filter((text) => exported.includes(text) || exported.includes(JSON.stringify(text).slice(1, -1)));
    actual.notContains = leaked.length === 0 ? expect.notContains : leaked.map((text) => `found: ${text}`);
    for (const text of leaked) problems.push(`"${text}" still appears in the redacted span`);
  }
  return actual;
}

/** Runs every case of `rules.tests`; never throws for a failing case (it is reported). */
export function runRuleTests(rules: CompiledRules): RuleTestReport {
  const cases = rules.tests.map((testCase): RuleTestResult => {
    const problems: string[] = [];
    let actual: unknown;
    try {
      actual = testCase.given.baggage !== undefined ? runBaggageCase(rules, testCase, problems) : runSpanCase(rules, testCase, problems);
    } catch (error) {
      problems.push(`the case could not run: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { name: testCase.name, ok: problems.length === 0, expected: testCase.expect, actual, ...(problems.length === 0 ? {} : { message: problems.join('\n') }) };
  });
  const passed = cases.filter((result) => result.ok).length;
  return { passed, failed: cases.length - passed, cases };
}
