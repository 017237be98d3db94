// W3C Trace Context Level 2 `tracestate`, strict. OpenTelemetry's own TraceState
// (@opentelemetry/core) is lenient (it keeps the valid members of a malformed header) and checks
// keys with the Level 1 grammar (`tenant@vendor` with length limits per part), so this class
// replaces it behind the same `TraceState` interface of @opentelemetry/api.
//
// Rules (Level 2 and the W3C conformance suite at strict level 2):
// - all `tracestate` fields are combined in order; empty and whitespace-only members are allowed;
// - a malformed member or more than 32 members discards the whole header;
// - a key seen again later in the list is dropped and the first one kept: the spec lets a vendor
//   discard duplicates, and the suite (since 2022) expects the header to be inherited.
import type { TraceState } from '@opentelemetry/api';

export const TRACESTATE_HEADER = 'tracestate';
export const MAX_TRACESTATE_MEMBERS = 32;
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 256;

const KEY_CHAR = 1; // lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
const KEY_FIRST = 2; // lcalpha / DIGIT
const KEY_CLASS = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) KEY_CLASS[c] = KEY_CHAR | KEY_FIRST;
for (let c = 0x30; c <= 0x39; c++) KEY_CLASS[c] = KEY_CHAR | KEY_FIRST;
for (const ch of '_-*/@') KEY_CLASS[ch.charCodeAt(0)] = KEY_CHAR;

const COMMA = 0x2c;
const EQUALS = 0x3d;
const SPACE = 0x20;

function isOws(code: number): boolean {
  return code === SPACE || code === 0x09;
}

function isValueChar(code: number): boolean {
  return code >= SPACE && code <= 0x7e && code !== COMMA && code !== EQUALS;
}

/** Key grammar of Level 2: `(lcalpha / DIGIT) 0*255(lcalpha / DIGIT / _ / - / * / / / @)`. */
export function isValidTraceStateKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  const first = key.charCodeAt(0);
  if (first >= 128 || (KEY_CLASS[first] & KEY_FIRST) === 0) return false;
  for (let i = 1; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 128 || KEY_CLASS[code] === 0) return false;
  }
  return true;
}

/** Value grammar: 1-256 chars of 0x20-0x7E except `,` and `=`, not ending in a space. */
export function isValidTraceStateValue(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isValueChar(value.charCodeAt(i))) return false;
  }
  return value.charCodeAt(value.length - 1) !== SPACE;
}

/** Immutable, always valid: whatever it serializes to is a valid Level 2 tracestate. */
export class StrictTraceState implements TraceState {
  private static readonly EMPTY = new StrictTraceState([], [], '');

  /** Serialized form, computed once (or taken from a header that was already canonical). */
  private serialized: string | undefined;

  private constructor(
    private readonly keys: readonly string[],
    private readonly values: readonly string[],
    serialized?: string,
  ) {
    this.serialized = serialized;
  }

  static empty(): StrictTraceState {
    return StrictTraceState.EMPTY;
  }

  /**
   * Parse and combine `tracestate` fields. Returns undefined when the header must be discarded,
   * and also when it is absent; an empty header is a valid empty state.
   */
  static parse(value: string | readonly string[] | undefined): StrictTraceState | undefined {
    if (value === undefined) return undefined;
    const fields = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(fields)) return undefined;
    const keys: string[] = [];
    const values: string[] = [];
    // The single-field input can be reused as the serialized form when nothing was trimmed,
    // skipped or deduplicated.
    let canonical = fields.length === 1;
    let members = 0;

    for (const field of fields) {
      if (typeof field !== 'string') return undefined;
      let pos = 0;
      while (pos <= field.length) {
        let comma = field.indexOf(',', pos);
        if (comma < 0) comma = field.length;
        const memberStart = pos;
        let start = pos;
        let end = comma;
        pos = comma + 1;
        while (start < end && isOws(field.charCodeAt(start))) start++;
        while (end > start && isOws(field.charCodeAt(end - 1))) end--;
        if (start !== memberStart || end !== comma) canonical = false;
        if (start === end) {
          // Empty member: allowed, but an input with one is not the canonical form.
          canonical = false;
          continue;
        }
        if (++members > MAX_TRACESTATE_MEMBERS) return undefined;

        const eq = field.indexOf('=', start);
        if (eq <= start || eq >= end) return undefined;
        const first = field.charCodeAt(start);
        if (first >= 128 || (KEY_CLASS[first] & KEY_FIRST) === 0) return undefined;
        if (eq - start > MAX_KEY_LENGTH) return undefined;
        for (let i = start + 1; i < eq; i++) {
          const code = field.charCodeAt(i);
          if (code >= 128 || KEY_CLASS[code] === 0) return undefined;
        }
        // After trimming the value cannot end in a space; it may start with one.
        if (end - eq - 1 < 1 || end - eq - 1 > MAX_VALUE_LENGTH) return undefined;
        for (let i = eq + 1; i < end; i++) {
          if (!isValueChar(field.charCodeAt(i))) return undefined;
        }

        const key = field.substring(start, eq);
        if (keys.includes(key)) {
          canonical = false;
          continue;
        }
        keys.push(key);
        values.push(field.substring(eq + 1, end));
      }
    }
    if (keys.length === 0) return StrictTraceState.EMPTY;
    return new StrictTraceState(keys, values, canonical ? fields[0] : undefined);
  }

  get(key: string): string | undefined {
    const index = this.keys.indexOf(key);
    return index < 0 ? undefined : this.values[index];
  }

  /**
   * Add or update `key`, moving it to the left; the right-most members past 32 are dropped.
   * An invalid key or value leaves the state unchanged (the interface has no error channel).
   */
  set(key: string, value: string): StrictTraceState {
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return this;
    const keys = [key];
    const values = [value];
    for (let i = 0; i < this.keys.length && keys.length < MAX_TRACESTATE_MEMBERS; i++) {
      if (this.keys[i] === key) continue;
      keys.push(this.keys[i]);
      values.push(this.values[i]);
    }
    return new StrictTraceState(keys, values);
  }

  unset(key: string): StrictTraceState {
    const index = this.keys.indexOf(key);
    if (index < 0) return this;
    if (this.keys.length === 1) return StrictTraceState.EMPTY;
    const keys = this.keys.slice();
    const values = this.values.slice();
    keys.splice(index, 1);
    values.splice(index, 1);
    return new StrictTraceState(keys, values);
  }

  serialize(): string {
    if (this.serialized === undefined) {
      let out = '';
      for (let i = 0; i < this.keys.length; i++) {
        out += (i === 0 ? '' : ',') + this.keys[i] + '=' + this.values[i];
      }
      this.serialized = out;
    }
    return this.serialized;
  }

  /** Number of members. */
  get size(): number {
    return this.keys.length;
  }

  /** Members in order, left-most first. */
  entries(): [string, string][] {
    return this.keys.map((key, i) => [key, this.values[i]]);
  }
}

/** Functional alias of `StrictTraceState.parse`. */
export function parseTraceState(value: string | readonly string[] | undefined): StrictTraceState | undefined {
  return StrictTraceState.parse(value);
}
