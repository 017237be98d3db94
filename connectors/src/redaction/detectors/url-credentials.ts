import type { CompiledAction } from '../actions';
import { REDACTED_USER_INFO } from '../constants';
import { defineDetector, eachMatch, type Detector } from './detector';

// scheme://userinfo@ — the user info is what is found (not the scheme, not the '@').
const USER_INFO = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#@\s]+)@/dg;

export function urlCredentialsDetector(action: CompiledAction): Detector {
  return defineDetector(
    'detectors.urlCredentials',
    action,
    (f) => f.at > 0 && f.colons > 0,
    (text, report) =>
      eachMatch(USER_INFO, text, (match) => {
        const [start, end] = match.indices![1];
        // Already redacted (by the URL rules or an earlier pass): nothing left to find.
        if (text.slice(start, end) !== REDACTED_USER_INFO) report(start, end);
        return true;
      }),
  );
}
