import type { CompiledAction } from '../actions';
import { defineDetector, type Detector } from './detector';

export const DEFAULT_ENTROPY_MIN_LENGTH = 20;
export const DEFAULT_ENTROPY_MIN_BITS = 3.5;

const LOWER = 1;
const UPPER = 2;
const DIGIT = 4;
const OTHER = 8; // + / = _ -
const CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  if (code >= 97 && code <= 122) CLASS[code] = LOWER;
  else if (code >= 65 && code <= 90) CLASS[code] = UPPER;
  else if (code >= 48 && code <= 57) CLASS[code] = DIGIT;
  else if ('+/=_-'.includes(String.fromCharCode(code))) CLASS[code] = OTHER;
}

const counts = new Uint16Array(128);

/** Shannon entropy of text[start, end) in bits per character (ASCII token characters only). */
export function shannonEntropy(text: string, start = 0, end = text.length): number {
  const length = end - start;
  if (length <= 0) return 0;
  counts.fill(0);
  for (let index = start; index < end; index++) counts[text.charCodeAt(index) & 127]++;
  let bits = 0;
  for (let code = 0; code < 128; code++) {
    const count = counts[code];
    if (count === 0) continue;
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function bitCount(mask: number): number {
  return (mask & LOWER ? 1 : 0) + (mask & UPPER ? 1 : 0) + (mask & DIGIT ? 1 : 0);
}

/**
 * Whether a token looks random. Measured on random keys and on real identifiers: mixing all three
 * of lowercase, uppercase and digits at `minBits` separates random base62/base64 from words, but
 * 1 in 300 random 32-character keys has no digit, and hex keys have no uppercase; so two classes
 * also qualify from 32 characters at 4 bits (random base62), and hex with letters and digits
 * from 32 characters (hashes, hex API keys). Identifiers such as `getCustomerOrdersByStatus2`
 * are caught too: over-redaction is the safe side of this trade.
 */
function looksRandom(text: string, start: number, end: number, classes: number, minBits: number): boolean {
  const length = end - start;
  const kinds = bitCount(classes);
  if (kinds < 2 || (kinds === 2 && length < 32)) return false;
  const bits = shannonEntropy(text, start, end);
  if (kinds === 3) return bits >= minBits;
  if (bits >= 4) return true;
  // Hex: only digits and a–f (or A–F).
  const lowerHex = classes === (LOWER | DIGIT) && /^[0-9a-f]+$/.test(text.slice(start, end));
  const upperHex = classes === (UPPER | DIGIT) && /^[0-9A-F]+$/.test(text.slice(start, end));
  return lowerHex || upperHex;
}

export function highEntropyDetector(action: CompiledAction, minLength = DEFAULT_ENTROPY_MIN_LENGTH, minBits = DEFAULT_ENTROPY_MIN_BITS): Detector {
  return defineDetector(
    'detectors.highEntropy',
    action,
    (f) => f.maxRun >= minLength,
    (text, report) => {
      let start = 0;
      let classes = 0;
      for (let index = 0; index <= text.length; index++) {
        const code = index < text.length ? text.charCodeAt(index) : 0;
        const kind = code < 128 ? CLASS[code] : 0;
        if (kind !== 0) {
          classes |= kind;
          continue;
        }
        if (index - start >= minLength && looksRandom(text, start, index, classes, minBits)) report(start, index);
        start = index + 1;
        classes = 0;
      }
    },
  );
}
