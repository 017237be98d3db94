// Turns ajv's error objects into one plain sentence per problem, each with the JSON Pointer and
// the dotted path of the field. ajv's own messages ("must NOT have additional properties") name
// neither the field nor the fix; these do.
import type { ErrorObject } from 'ajv';
import { childPointer, dottedPath, isRecord, valueAt } from './json-pointer';

export interface SchemaIssue {
  /** JSON Pointer of the field, e.g. '/exporter/queue/maxSize'; '' is the whole document. */
  path: string;
  /** The same field in dotted form, e.g. 'exporter.queue.maxSize'. */
  field: string;
  /** What is wrong, in plain words. */
  message: string;
  /** The JSON Schema keyword that failed. */
  keyword: string;
  /** True when the problem is the field's name (unknown or invalid), not its value. */
  atKey: boolean;
}

type Schema = Record<string, unknown>;

/** Converts the errors of one validation run over `data` into issues, in document order. */
export function describeErrors(errors: readonly ErrorObject[], data: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const { error, alternatives } of groupAlternatives(errors)) {
    if (error.keyword === 'propertyNames') continue; // its inner errors say more
    const issue = describe(error, alternatives, data);
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

interface GroupedError {
  error: ErrorObject;
  /** For anyOf/oneOf: the errors of each alternative, which alone would only confuse. */
  alternatives: ErrorObject[];
}

// ajv reports every failed branch of an anyOf before the anyOf itself, all at or below the same
// instance path; fold them into the anyOf error.
function groupAlternatives(errors: readonly ErrorObject[]): GroupedError[] {
  const grouped: GroupedError[] = [];
  for (const error of errors) {
    const alternatives: ErrorObject[] = [];
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      while (grouped.length > 0 && isWithin(grouped[grouped.length - 1].error.instancePath, error.instancePath)) {
        const previous = grouped.pop() as GroupedError;
        alternatives.unshift(previous.error, ...previous.alternatives);
      }
    }
    grouped.push({ error, alternatives });
  }
  return grouped;
}

function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent + '/');
}

function describe(error: ErrorObject, alternatives: ErrorObject[], data: unknown): SchemaIssue {
  const parent = isRecord(error.parentSchema) ? (error.parentSchema as Schema) : {};
  const params = error.params as Record<string, unknown>;
  let path = error.instancePath;
  let atKey = false;
  let message: string;

  if (error.propertyName !== undefined) {
    // An error inside propertyNames: the problem is a field name of the object at instancePath.
    path = childPointer(path, error.propertyName);
    atKey = true;
    const reason = customMessage(error, parent) ?? basicMessage(error, parent, params, undefined, []);
    message = error.propertyName === '' ? `an empty field name is not allowed: ${reason}` : `field name '${error.propertyName}' is not allowed: ${reason}`;
  } else if (error.keyword === 'required') {
    path = childPointer(path, String(params.missingProperty));
    message = `missing required field '${String(params.missingProperty)}'`;
  } else if (error.keyword === 'additionalProperties') {
    const name = String(params.additionalProperty);
    path = childPointer(path, name);
    atKey = true;
    const suggestion = closestName(name, isRecord(parent.properties) ? Object.keys(parent.properties) : []);
    message = `unknown field '${name}'` + (suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`);
  } else if (error.keyword === 'dependentRequired') {
    path = childPointer(path, String(params.property));
    message = `needs '${String(params.missingProperty)}' to be set as well`;
  } else {
    const value = valueAt(data, path);
    message = customMessage(error, parent) ?? basicMessage(error, parent, params, value, alternatives);
    message += received(error.keyword, value);
  }
  return { path, field: dottedPath(path, data), message, keyword: error.keyword, atKey };
}

/** Messages a schema author wrote: patternErrorMessage and errorMessage, as editors also show. */
function customMessage(error: ErrorObject, parent: Schema): string | undefined {
  if ((error.keyword === 'pattern' || error.keyword === 'format') && typeof parent.patternErrorMessage === 'string') {
    return parent.patternErrorMessage;
  }
  return typeof parent.errorMessage === 'string' ? parent.errorMessage : undefined;
}

function basicMessage(error: ErrorObject, parent: Schema, params: Record<string, unknown>, value: unknown, alternatives: ErrorObject[]): string {
  switch (error.keyword) {
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${expectation(parent, error.keyword)}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((allowed) => show(allowed)).join(', ')}`;
    case 'const':
      return `must be ${show(params.allowedValue)}`;
    case 'pattern':
      return `must match the pattern ${String(params.pattern)}`;
    case 'format':
      return `must be a valid ${String(params.format)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters long`;
    case 'minItems':
      return `must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must list at most ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
    case 'minProperties':
      return `must have at least ${String(params.limit)} field${params.limit === 1 ? '' : 's'}`;
    case 'maxProperties':
      return `must have at most ${String(params.limit)} field${params.limit === 1 ? '' : 's'}`;
    case 'uniqueItems': {
      const repeated = Array.isArray(value) ? value[Number(params.i)] : undefined;
      return `lists ${show(repeated)} twice (items ${String(params.j)} and ${String(params.i)}); each item may appear only once`;
    }
    case 'multipleOf':
      return `must be a multiple of ${String(params.multipleOf)}`;
    case 'false schema':
      return 'is not allowed here';
    case 'not':
      return 'has a value that is not allowed here';
    case 'oneOf':
      if (Array.isArray(params.passingSchemas)) return 'matches more than one of the allowed forms';
      return alternativesMessage(alternatives, value);
    case 'anyOf':
      return alternativesMessage(alternatives, value);
    default:
      return error.message ?? `fails the schema keyword '${error.keyword}'`;
  }
}

function alternativesMessage(alternatives: ErrorObject[], value: unknown): string {
  const messages = alternatives.map((alternative) => {
    const parent = isRecord(alternative.parentSchema) ? (alternative.parentSchema as Schema) : {};
    return customMessage(alternative, parent) ?? basicMessage(alternative, parent, alternative.params as Record<string, unknown>, value, []);
  });
  const distinct = [...new Set(messages)];
  return distinct.length === 0 ? 'does not match any of the allowed forms' : distinct.join(', or ');
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping of fields',
  array: 'a list',
  null: 'null',
};

// Most counters allow up to 2^31 - 1, as the OpenTelemetry specification asks; saying so in
// every message would only add noise, so that bound is named only when it is the one exceeded.
const INT32_MAX = 2147483647;

/** "an integer ≥ 1", "a number from 0 to 1", "a string". */
function expectation(schema: Schema, failed: string): string {
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  let words = types.length === 0 ? 'a value' : types.map((type) => TYPE_WORDS[type] ?? type).join(' or ');
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' && (schema.maximum !== INT32_MAX || failed === 'maximum') ? schema.maximum : undefined;
  if (min !== undefined && max !== undefined) words += ` from ${min} to ${max}`;
  else if (min !== undefined) words += ` ≥ ${min}`;
  else if (max !== undefined) words += ` ≤ ${max}`;
  if (typeof schema.exclusiveMinimum === 'number') words += ` > ${schema.exclusiveMinimum}`;
  if (typeof schema.exclusiveMaximum === 'number') words += ` < ${schema.exclusiveMaximum}`;
  return words;
}

// Values are echoed only where that helps and cannot leak a secret: a wrong type or a value
// outside an enumeration. A string that fails a pattern may be a token, so it is never shown.
const ECHOED_KEYWORDS = new Set(['type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']);

function received(keyword: string, value: unknown): string {
  if (!ECHOED_KEYWORDS.has(keyword)) return '';
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return ` (got ${show(value)})`;
  if (Array.isArray(value)) return ' (got a list)';
  if (isRecord(value)) return ' (got a mapping)';
  return '';
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

/** The allowed name a misspelt one most likely meant, if one is close enough to suggest. */
export function closestName(name: string, allowed: readonly string[]): string | undefined {
  const squash = (text: string): string => text.toLowerCase().replace(/[-_.\s]/g, '');
  const sameLetters = allowed.find((candidate) => squash(candidate) === squash(name));
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(name.length / 3));
  for (const candidate of allowed) {
    const distance = editDistance(squash(name), squash(candidate));
    if (distance <= bestDistance && (best === undefined || distance < editDistance(squash(name), squash(best)))) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
