// W3C Trace Context Level 2 `traceparent`: strict parse and format. This is the proxy's hot path,
// so both work on char codes over the original string (no regex, no split, no trimmed copy).
import { isLowerHexIdAt, isValidSpanIdHex, isValidTraceIdHex } from './hex';

export const TRACEPARENT_HEADER = 'traceparent';

/** Trace flag bits defined by Level 2; every other bit is emitted as 0. */
export const FLAG_SAMPLED = 0x01;
export const FLAG_RANDOM = 0x02;
export const KNOWN_FLAGS_MASK = FLAG_SAMPLED | FLAG_RANDOM;

/** Length of a version 00 value, and the minimum length of any higher version. */
const VERSION_00_LENGTH = 55;
const INVALID_VERSION = 0xff;

/** A parsed traceparent. `traceFlags` holds the flags byte exactly as received. */
export interface Traceparent {
  version: number;
  traceId: string;
  /** The caller's span id. */
  parentId: string;
  traceFlags: number;
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0x30; c <= 0x39; c++) HEX_VALUE[c] = c - 0x30;
for (let c = 0x61; c <= 0x66; c++) HEX_VALUE[c] = c - 0x61 + 10;

const DASH = 0x2d;

/** Value of a lowercase hex char code, -1 for anything else (uppercase hex is invalid). */
function hexValue(code: number): number {
  return code < 128 ? HEX_VALUE[code] : -1;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Parse one `traceparent` field. Returns undefined for anything invalid, including several
 * fields (a string[] longer than one): the spec forbids picking one of them.
 */
export function parseTraceparent(value: string | string[] | undefined): Traceparent | undefined {
  let field: unknown = value;
  if (Array.isArray(value)) {
    if (value.length !== 1) return undefined;
    field = value[0];
  }
  if (typeof field !== 'string') return undefined;

  let start = 0;
  let end = field.length;
  while (start < end && isOws(field.charCodeAt(start))) start++;
  while (end > start && isOws(field.charCodeAt(end - 1))) end--;
  const length = end - start;
  if (length < VERSION_00_LENGTH) return undefined;

  const v0 = hexValue(field.charCodeAt(start));
  const v1 = hexValue(field.charCodeAt(start + 1));
  if (v0 < 0 || v1 < 0) return undefined;
  const version = (v0 << 4) | v1;
  if (version === INVALID_VERSION) return undefined;
  // Version 00 is exactly 55 chars; a higher version may carry more fields after a dash.
  if (version === 0 && length !== VERSION_00_LENGTH) return undefined;

  if (
    field.charCodeAt(start + 2) !== DASH ||
    field.charCodeAt(start + 35) !== DASH ||
    field.charCodeAt(start + 52) !== DASH
  ) {
    return undefined;
  }
  if (!isLowerHexIdAt(field, start + 3, 32) || !isLowerHexIdAt(field, start + 36, 16)) return undefined;

  const f0 = hexValue(field.charCodeAt(start + 53));
  const f1 = hexValue(field.charCodeAt(start + 54));
  if (f0 < 0 || f1 < 0) return undefined;
  if (length > VERSION_00_LENGTH && field.charCodeAt(start + 55) !== DASH) return undefined;

  return {
    version,
    traceId: field.substring(start + 3, start + 35),
    parentId: field.substring(start + 36, start + 52),
    traceFlags: (f0 << 4) | f1,
  };
}

const FLAG_SUFFIX = ['-00', '-01', '-02', '-03'];

/**
 * Format a traceparent as version 00 with lowercase hex and only the sampled and random flags.
 * Returns undefined when an id is not valid (wrong length, not lowercase hex, all zeros), so an
 * invalid header can never be emitted.
 */
export function formatTraceparent(
  value: Pick<Traceparent, 'traceId' | 'parentId' | 'traceFlags'>,
): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (!isValidTraceIdHex(value.traceId) || !isValidSpanIdHex(value.parentId)) return undefined;
  return '00-' + value.traceId + '-' + value.parentId + FLAG_SUFFIX[value.traceFlags & KNOWN_FLAGS_MASK];
}
