// What every value detector (and every custom pattern) is: a cheap pre-check on the value's
// features, then a search that reports the ranges it found.
import type { CompiledAction } from '../actions';
import type { ValueFeatures } from '../value-features';

/** Something that can change part of a value: a detector or a custom pattern. */
export interface ValueRule {
  /** Names the rule in explain output and test results, e.g. `detectors.email`. */
  readonly id: string;
  readonly action: CompiledAction;
}

export interface MatchSink {
  /** Reports text[start, end) as found by `rule`. */
  add(start: number, end: number, rule: ValueRule): void;
}

export interface Detector extends ValueRule {
  /** False when the value cannot hold a match (no '@' → no e-mail…): find is then not called. */
  applies(features: ValueFeatures): boolean;
  find(text: string, sink: MatchSink): void;
}

/**
 * Calls `found` for every match of a global regex, from the start. When `found` returns false
 * (a candidate that failed its check, e.g. Luhn), the search resumes one character later, so a
 * valid match overlapping a rejected candidate is still found.
 */
export function eachMatch(regex: RegExp, text: string, found: (match: RegExpExecArray) => boolean): void {
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    const accepted = found(match);
    if (!accepted) regex.lastIndex = match.index + 1;
    else if (match[0].length === 0) regex.lastIndex++;
  }
}

export type Search = (text: string, report: (start: number, end: number) => void) => void;

/** A detector from its parts; `search` reports ranges, which are attributed to the detector. */
export function defineDetector(id: string, action: CompiledAction, applies: (features: ValueFeatures) => boolean, search: Search): Detector {
  const detector: Detector = {
    id,
    action,
    applies,
    find: (text, sink) => search(text, (start, end) => sink.add(start, end, detector)),
  };
  return detector;
}

/**
 * A search that reports every match of a global regex; with the `d` flag, only the given group
 * (a number, or a name: a match without that named group is reported whole).
 */
export function regexSearch(regex: RegExp, group: number | string = 0): Search {
  return (text, report) =>
    eachMatch(regex, text, (match) => {
      const range = typeof group === 'string' ? match.indices?.groups?.[group] : group === 0 ? undefined : match.indices?.[group];
      if (range) report(range[0], range[1]);
      else if (group === 0 || typeof group === 'string') report(match.index, match.index + match[0].length);
      return true;
    });
}
