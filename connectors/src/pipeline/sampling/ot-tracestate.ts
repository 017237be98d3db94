// OpenTelemetry's own tracestate entry, `ot=`, holds `;`-separated `key:value` sub-keys; the
// sampling ones are `th` (rejection threshold) and `rv` (explicit randomness). Every change goes
// through the TraceState interface (get/set/unset), so it works with any TraceState
// implementation, the strict one of the propagation codecs included.
import type { TraceState } from '@opentelemetry/api';

export const OT_TRACESTATE_KEY = 'ot';
export const THRESHOLD_SUBKEY = 'th';
export const RANDOMNESS_SUBKEY = 'rv';

/** The ot entry value may not exceed 256 characters (tracestate value limit). */
const MAX_OT_VALUE_LENGTH = 256;
const SUBKEY = /^[a-z][a-z0-9]*$/;

/** Sub-keys of the `ot` entry in their original order; malformed pieces are left out. */
export function readOtEntry(traceState: TraceState | undefined): Map<string, string> {
  const subkeys = new Map<string, string>();
  const value = traceState?.get(OT_TRACESTATE_KEY);
  if (!value) return subkeys;
  for (const piece of value.split(';')) {
    const colon = piece.indexOf(':');
    if (colon <= 0) continue;
    const key = piece.slice(0, colon);
    if (!SUBKEY.test(key) || subkeys.has(key)) continue;
    subkeys.set(key, piece.slice(colon + 1));
  }
  return subkeys;
}

/**
 * Set (or, with `value` undefined, remove) one sub-key and keep the others. An `ot` entry left
 * empty is removed; a change that would exceed the entry's length limit removes the sub-key instead.
 */
export function withOtSubkey(traceState: TraceState, subkey: string, value: string | undefined): TraceState {
  const subkeys = readOtEntry(traceState);
  if (value === undefined && !subkeys.has(subkey)) return traceState;
  // The updated sub-key goes first, the way tracestate moves an updated member to the left.
  const pieces: string[] = value === undefined ? [] : [`${subkey}:${value}`];
  for (const [key, existing] of subkeys) {
    if (key !== subkey) pieces.push(`${key}:${existing}`);
  }
  const serialized = pieces.join(';');
  if (serialized === '') return traceState.unset(OT_TRACESTATE_KEY);
  if (serialized.length > MAX_OT_VALUE_LENGTH) {
    // Adding would overflow: leave the sub-key out. Removing can only overflow when the entry was
    // already too long; drop the whole entry then, so a stale threshold never survives.
    return value === undefined ? traceState.unset(OT_TRACESTATE_KEY) : withOtSubkey(traceState, subkey, undefined);
  }
  return traceState.set(OT_TRACESTATE_KEY, serialized);
}
