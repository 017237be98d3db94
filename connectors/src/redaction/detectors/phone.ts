import type { CompiledAction } from '../actions';
import { defineDetector, eachMatch, type Detector } from './detector';

// International: + or 00, a country code not starting with 0, then digits with single spaces,
// dots, dashes or parentheses between; 8–15 digits in all (E.164). North American: (555)
// 123-4567, 555-123-4567, 555.123.4567 — separators required, so plain numbers stay numbers.
const INTERNATIONAL = /(?<![\w+])(?:\+|00)[1-9](?:[ .-]?\(?[0-9]\)?){7,14}(?![0-9])/g;
const NORTH_AMERICAN = /(?<![\w.-])(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[-. ])[0-9]{3}[-. ][0-9]{4}(?![\w-]|\.[0-9])/g;

function digitCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

export function phoneDetector(action: CompiledAction): Detector {
  return defineDetector(
    'detectors.phone',
    action,
    (f) => f.digits >= 8,
    (text, report) => {
      eachMatch(INTERNATIONAL, text, (match) => {
        const digits = digitCount(match[0]) - (match[0].startsWith('00') ? 2 : 0);
        if (digits < 8 || digits > 15) return false;
        report(match.index, match.index + match[0].length);
        return true;
      });
      eachMatch(NORTH_AMERICAN, text, (match) => {
        report(match.index, match.index + match[0].length);
        return true;
      });
    },
  );
}
