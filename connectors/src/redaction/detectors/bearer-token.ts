import type { CompiledAction } from '../actions';
import { defineDetector, regexSearch, type Detector } from './detector';

// The credential of an Authorization value: the scheme word stays, what follows is found.
// Digest and similar schemes carry comma-separated parameters: everything after the scheme.
const TOKEN_SCHEME = /\b(?:bearer|basic|token|negotiate|ntlm)[ \t]+([A-Za-z0-9._~+/-]{6,}=*)/dgi;
const PARAMETER_SCHEME = /\b(?:digest|hoba|mutual|aws4-hmac-sha256)[ \t]+(\S.*)/dgi;
// One cheap test (no match indices) before the two searches.
const ANY_SCHEME = /\b(?:bearer|basic|token|negotiate|ntlm|digest|hoba|mutual|aws4-hmac-sha256)[ \t]/i;

/** A word such as `expired` after "token" is prose, not a credential: those have a digit, a symbol or length. */
function looksLikeCredential(text: string): boolean {
  return text.length >= 20 || /[0-9._~+/=-]/.test(text);
}

export function bearerTokenDetector(action: CompiledAction): Detector {
  const findTokens = regexSearch(TOKEN_SCHEME, 1);
  const tokens: typeof findTokens = (text, report) => findTokens(text, (start, end) => {
    if (looksLikeCredential(text.slice(start, end))) report(start, end);
  });
  const parameters = regexSearch(PARAMETER_SCHEME, 1);
  return defineDetector(
    'detectors.bearerToken',
    action,
    (f) => f.spaces > 0 && f.length >= 11,
    (text, report) => {
      if (!ANY_SCHEME.test(text)) return;
      tokens(text, report);
      parameters(text, report);
    },
  );
}
