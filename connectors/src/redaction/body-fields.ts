// Captured bodies as span attributes. The capturing code (interceptor, wrappers) sets
// `http.request.body` / `http.response.body` to the body text; the rules turn it into one
// attribute per opted-in JSON Pointer, named the body attribute followed by the pointer
// (`http.request.body/order/id`), and the body attribute itself never leaves.
import type { AttributeValue } from '@opentelemetry/api';
import { isRecord, valueAt } from '../config/json-pointer';
import type { CompiledAction } from './actions';

export const ATTR_REQUEST_BODY = 'http.request.body';
export const ATTR_RESPONSE_BODY = 'http.response.body';
export const DEFAULT_BODY_MAX_BYTES = 16384;

export interface CompiledBodyField {
  pointer: string;
  /** undefined: detectors apply. */
  action: CompiledAction | undefined;
  /** Names the rule in explain output, e.g. `bodies.request[0]`. */
  rule: string;
}

export interface BodySpec {
  fields: readonly CompiledBodyField[];
  maxBytes: number;
}

export interface BodyField {
  key: string;
  value: AttributeValue;
  field: CompiledBodyField;
}

/** The opted-in fields present in a body, or a reason why none could be read. */
export function bodyFields(bodyKey: string, body: unknown, spec: BodySpec): BodyField[] | string {
  if (spec.fields.length === 0) return 'no body fields are allowed';
  if (typeof body !== 'string') return 'the body is not text';
  if (body.length > spec.maxBytes) return `the body is larger than bodies.maxBytes (${spec.maxBytes})`;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  const fields: BodyField[] = [];
  for (const field of spec.fields) {
    const value = valueAt(data, field.pointer);
    if (value === undefined || value === null) continue;
    const attribute: AttributeValue | undefined =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : isRecord(value) || Array.isArray(value) ? JSON.stringify(value) : undefined;
    if (attribute !== undefined) fields.push({ key: bodyKey + field.pointer, value: attribute, field });
  }
  return fields;
}
