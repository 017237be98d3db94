import type { CompiledAction } from '../actions';
import { defineDetector, regexSearch, type Detector } from './detector';

// The local part starts at a boundary (not inside a longer word), and is not the REDACTED of
// already-redacted URL user info (`REDACTED:REDACTED@host`).
const EMAIL = /(?<![A-Za-z0-9._%+-])(?<!REDACTED:)[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

export function emailDetector(action: CompiledAction): Detector {
  return defineDetector('detectors.email', action, (f) => f.at > 0 && f.dots > 0 && f.length >= 6, regexSearch(EMAIL));
}
