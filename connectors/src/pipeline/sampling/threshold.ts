// Consistent probability sampling arithmetic (OpenTelemetry "TraceState: Probability Sampling",
// W3C Trace Context Level 2 randomness). Thresholds and randomness are 56-bit values; they are
// kept as 14 lowercase hex digits, where string order equals numeric order, so the decision
// R >= T is a plain string comparison with no 64-bit arithmetic.

export const HEX_DIGITS_56_BITS = 14;
/** Hex digits of precision OpenTelemetry recommends for thresholds. */
export const DEFAULT_THRESHOLD_PRECISION = 4;
/** Most digits a double carries reliably for a value in [0, 1). */
const MAX_PRECISION = 12;
const ZERO_THRESHOLD = '0'.repeat(HEX_DIGITS_56_BITS);
const HEX_56 = /^[0-9a-f]{14}$/;
const TH_VALUE = /^[0-9a-f]{1,14}$/;

/**
 * Rejection threshold T = (1 - p) * 2^56 for sampling probability `p`, rounded to `precision`
 * significant hex digits (more digits for small probabilities, as the spec's algorithm does).
 * Returns undefined for p <= 0 or NaN: "never" is not a probability and has no threshold.
 */
export function probabilityToThreshold(p: number, precision = DEFAULT_THRESHOLD_PRECISION): string | undefined {
  if (!(p > 0)) return undefined;
  if (p >= 1) return ZERO_THRESHOLD;
  // frexp exponent of p: p = m * 2^exp with m in [0.5, 1).
  const exponent = Math.floor(Math.log2(p)) + 1;
  const digits = Math.max(1, Math.min(MAX_PRECISION, precision + Math.floor(exponent / -4)));
  const scale = 16 ** digits;
  let rounded = Math.round((1 - p) * scale);
  if (rounded >= scale) rounded = scale - 1;
  return rounded.toString(16).padStart(digits, '0').padEnd(HEX_DIGITS_56_BITS, '0');
}

/** The `th` value: trailing zeros removed, `0` for a zero threshold (always sample). */
export function encodeThreshold(threshold: string): string {
  const trimmed = threshold.replace(/0+$/, '');
  return trimmed === '' ? '0' : trimmed;
}

/** A `th` value back to 14 digits; undefined when it is not 1-14 lowercase hex digits. */
export function decodeThreshold(th: string | undefined): string | undefined {
  if (th === undefined || !TH_VALUE.test(th)) return undefined;
  return th.padEnd(HEX_DIGITS_56_BITS, '0');
}

export function isValidRandomness(rv: string | undefined): rv is string {
  return rv !== undefined && HEX_56.test(rv);
}

/** Randomness R: the explicit `rv` when valid, else the right-most 56 bits of the trace id. */
export function randomnessOf(traceId: string, rv: string | undefined): string {
  return isValidRandomness(rv) ? rv : traceId.slice(-HEX_DIGITS_56_BITS).toLowerCase();
}

/** Keep the span iff R >= T. */
export function isKept(randomness: string, threshold: string): boolean {
  return randomness >= threshold;
}

/** Sampling probability a threshold stands for: (2^56 - T) / 2^56. */
export function thresholdToProbability(threshold: string): number {
  return 1 - Number(BigInt('0x' + threshold)) / 2 ** 56;
}
