import type { CompiledAction } from '../actions';
import { defineDetector, eachMatch, type Detector } from './detector';

// 13–19 digits with single spaces or dashes between, first digit 2–6 (Mastercard 2-series,
// Amex, Visa, Mastercard, Discover/UnionPay…): a leading 1 or 0 is far more often a timestamp or
// a counter than a card. Not inside a longer run of digits.
const CANDIDATE = /(?<![0-9])[2-6](?:[ -]?[0-9]){12,18}(?![0-9])/g;

/** The Luhn (mod 10) check over the digits of `text`, skipping separators. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    const code = digits.charCodeAt(index);
    if (code < 48 || code > 57) continue;
    let digit = code - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function paymentCardDetector(action: CompiledAction): Detector {
  return defineDetector(
    'detectors.paymentCard',
    action,
    (f) => f.digits >= 13,
    (text, report) =>
      eachMatch(CANDIDATE, text, (match) => {
        // A Luhn-invalid candidate is no card; the search resumes inside it (see eachMatch).
        if (!luhnValid(match[0])) return false;
        report(match.index, match.index + match[0].length);
        return true;
      }),
  );
}
