// Key patterns, globs and scopes compiled into single predicates: a list of globs becomes one
// anchored regular expression, so matching a key costs one regex test however long the list.
import { wildcardSource } from '../pipeline/sampling/rule-sampler';
import type { RuleIssues } from './rule-issues';
import type { KeyPattern, RuleScope } from './rules-document';

export type TextMatcher = (text: string) => boolean;

const NEVER: TextMatcher = () => false;

/**
 * A glob as an unanchored regex source: `*abc*` → `abc`, `abc*` → `^abc`, `abc` → `^abc$`, so a
 * list of "contains" globs compiles without leading `.*` (which makes every test backtrack).
 */
function globSource(glob: string): string {
  const starts = glob.startsWith('*');
  const ends = glob.endsWith('*') && glob.length > 1;
  const middle = glob.slice(starts ? 1 : 0, ends ? -1 : undefined);
  return `${starts ? '' : '^'}${wildcardSource(middle)}${ends ? '' : '$'}`;
}

/** One predicate for a list of globs (case-insensitive); undefined for an absent list. */
export function globListMatcher(globs: readonly string[] | undefined): TextMatcher | undefined {
  if (globs === undefined) return undefined;
  if (globs.length === 0) return NEVER;
  if (globs.includes('*')) return () => true;
  const regex = new RegExp(globs.map(globSource).join('|'), 'is');
  return (text) => regex.test(text);
}

/** One predicate for key patterns (globs and regexes); undefined for an absent list. */
export function keyPatternMatcher(patterns: readonly KeyPattern[] | undefined, pointer: string, issues: RuleIssues): TextMatcher | undefined {
  if (patterns === undefined) return undefined;
  const globs: string[] = [];
  const regexes: RegExp[] = [];
  patterns.forEach((pattern, index) => {
    if (typeof pattern === 'string') {
      globs.push(pattern);
    } else {
      const regex = issues.regex(pattern.regex, pattern.ignoreCase === true ? 'i' : '', `${pointer}/${index}/regex`);
      if (regex) regexes.push(regex);
    }
  });
  const globMatch = globs.length > 0 ? globListMatcher(globs) : undefined;
  if (regexes.length === 0) return globMatch ?? NEVER;
  return (text) => (globMatch !== undefined && globMatch(text)) || regexes.some((regex) => regex.test(text));
}

/** What a scope looks at in a span. */
export interface ScopeSubject {
  service: string;
  spanName: string;
  kind: string;
  /** http.route, when the span has one. */
  route: string | undefined;
}

export type ScopeMatcher = (subject: ScopeSubject) => boolean;

/** A predicate for a rule's `when`; undefined when the rule applies everywhere. */
export function scopeMatcher(scope: RuleScope | undefined): ScopeMatcher | undefined {
  if (scope === undefined) return undefined;
  const services = globListMatcher(scope.services);
  const spanNames = globListMatcher(scope.spanNames);
  const routes = globListMatcher(scope.routes);
  const kinds = scope.kinds === undefined ? undefined : new Set<string>(scope.kinds);
  return (subject) =>
    (services === undefined || services(subject.service)) &&
    (spanNames === undefined || spanNames(subject.spanName)) &&
    (kinds === undefined || kinds.has(subject.kind)) &&
    (routes === undefined || (subject.route !== undefined && routes(subject.route)));
}
