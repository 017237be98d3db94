// Character checks shared by the codecs. Lookup tables indexed by char code are the fastest
// branch-free test in V8 and never backtrack, unlike a regex.

const LOWER_HEX = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) LOWER_HEX[c] = 1; // 0-9
for (let c = 0x61; c <= 0x66; c++) LOWER_HEX[c] = 1; // a-f

/** 1 for the char codes of `0-9a-f`, 0 for everything else below 128. */
export function isLowerHexCode(code: number): boolean {
  return code < 128 && LOWER_HEX[code] === 1;
}

/**
 * True when `value.slice(start, start + length)` is lowercase hex and not all zeros: the rule for
 * W3C trace ids (32 chars) and parent/span ids (16 chars).
 */
export function isLowerHexIdAt(value: string, start: number, length: number): boolean {
  const end = start + length;
  if (end > value.length) return false;
  let nonZero = false;
  for (let i = start; i < end; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128 || LOWER_HEX[code] !== 1) return false;
    if (code !== 0x30) nonZero = true;
  }
  return nonZero;
}

/** A W3C trace id: 32 lowercase hex chars, not all zero. */
export function isValidTraceIdHex(value: unknown): value is string {
  return typeof value === 'string' && value.length === 32 && isLowerHexIdAt(value, 0, 32);
}

/** A W3C parent (span) id: 16 lowercase hex chars, not all zero. */
export function isValidSpanIdHex(value: unknown): value is string {
  return typeof value === 'string' && value.length === 16 && isLowerHexIdAt(value, 0, 16);
}
