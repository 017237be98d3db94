// Span attributes the user writes in a node's form (a JSON object) or puts on the message: only
// values a span attribute can hold are kept; anything else is rejected with the key named.
import type { RecordAttributeValue, RecordAttributes } from '@threadline/connectors';

function isAttributeValue(value: unknown): value is RecordAttributeValue {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (!Array.isArray(value) || value.length === 0) return Array.isArray(value);
  const type = typeof value[0];
  return (type === 'string' || type === 'number' || type === 'boolean') && value.every((item) => typeof item === type);
}

/** Checks an object of attributes; throws naming the first key whose value no attribute can hold. */
export function toAttributes(value: unknown, what: string): RecordAttributes {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what}: expected an object of attributes, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const attributes: RecordAttributes = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    if (!isAttributeValue(item)) {
      throw new Error(`${what}: "${key}" must be a string, number, boolean or an array of one of them`);
    }
    attributes[key] = item;
  }
  return attributes;
}

/** The form's JSON text (empty → none); throws saying what is wrong. */
export function parseAttributesText(text: unknown): RecordAttributes {
  if (typeof text !== 'string' || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`attributes: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return toAttributes(parsed, 'attributes');
}

/**
 * The form's attributes, parsed once when the node starts; a mistake in them is kept and reported
 * on every message (with done(err)) rather than stopping the node from starting.
 */
export function staticAttributesOf(text: unknown): { attributes: RecordAttributes; problem?: Error } {
  try {
    return { attributes: parseAttributesText(text) };
  } catch (error) {
    return { attributes: {}, problem: error as Error };
  }
}
