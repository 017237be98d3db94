import type { CompiledAction } from '../actions';
import { defineDetector, eachMatch, type Detector } from './detector';

// Country code, check digits, then the account part, printed compact or in groups of four.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}/g;

/** ISO 13616: move the first four characters to the end, letters to 10–35, the number mod 97 is 1. */
export function ibanValid(compact: string): boolean {
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let index = 0; index < rearranged.length; index++) {
    const code = rearranged.charCodeAt(index);
    if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}

export function ibanDetector(action: CompiledAction): Detector {
  return defineDetector(
    'detectors.iban',
    action,
    (f) => f.upper >= 2 && f.digits >= 2 && f.length >= 15,
    (text, report) =>
      eachMatch(CANDIDATE, text, (match) => {
        // The greedy candidate may run into a following word: try it, then shorter ends.
        const candidate = match[0];
        for (let end = candidate.length; end >= 15; end--) {
          if (candidate[end - 1] === ' ') continue;
          // Cutting inside a group of four is allowed only for compact IBANs (no spaces at all).
          if (end < candidate.length && candidate[end] !== ' ' && candidate.lastIndexOf(' ', end) >= 0) continue;
          if (ibanValid(candidate.slice(0, end).replace(/ /g, ''))) {
            report(match.index, match.index + end);
            return true;
          }
        }
        return false;
      }),
  );
}
