// Which URL path segments are identifiers (and become `{id}`): all digits, UUIDs, long hex,
// long opaque tokens, and whatever the admin's patterns add.
import type { RuleIssues } from './rule-issues';
import type { PathIdRules } from './rules-document';

const NUMERIC = /^[0-9]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{16,}$/i;
const OPAQUE_CHARS = /^[A-Za-z0-9._~-]{20,}$/;

function isOpaque(segment: string): boolean {
  return OPAQUE_CHARS.test(segment) && /[0-9]/.test(segment) && /[A-Za-z]/.test(segment);
}

/** Whether a path segment is an identifier, with the shortest segment that can be one. */
export interface PathIdMatcher {
  (segment: string): boolean;
  minLength: number;
}

/** A predicate for identifier segments, or undefined when path ids are off. */
export function pathIdMatcher(rules: PathIdRules | undefined, issues: RuleIssues): PathIdMatcher | undefined {
  if (rules === undefined || rules.enabled === false) return undefined;
  const tests: ((segment: string) => boolean)[] = [];
  // Shorter segments are never tested: hex ids have 16 characters, opaque ones 20, UUIDs 36.
  let minLength = rules.hex !== false ? 16 : rules.opaque !== false ? 20 : 36;
  if (rules.numeric !== false || (rules.patterns?.length ?? 0) > 0) minLength = 1;
  if (rules.numeric !== false) tests.push((segment) => NUMERIC.test(segment));
  if (rules.uuid !== false) tests.push((segment) => UUID.test(segment));
  if (rules.hex !== false) tests.push((segment) => HEX.test(segment));
  if (rules.opaque !== false) tests.push(isOpaque);
  rules.patterns?.forEach((pattern, index) => {
    const regex = issues.regex(`^(?:${pattern})$`, '', `/url/pathIds/patterns/${index}`);
    if (regex) tests.push((segment) => regex.test(segment));
  });
  if (tests.length === 0) return undefined;
  return Object.assign((segment: string) => segment.length >= minLength && tests.some((test) => test(segment)), { minLength });
}
