// URL rules on the strings themselves, without a URL parser, so nothing else in a value is
// re-encoded and malformed URLs are still redacted (moved here from the pipeline's former URL
// redactor, which the rule engine replaces):
// - user info becomes REDACTED:REDACTED (semantic conventions);
// - query values become REDACTED when their key is sensitive (deny-list) or not allowed
//   (allow-list); keys compare case-insensitively after percent-decoding;
// - path segments that are identifiers become `{id}`;
// - a percent-encoded query value or path segment whose decoded text holds something a detector
//   finds becomes REDACTED (the detectors, which run on the text afterwards, cannot see through
//   the encoding).
import { SEMCONV_SENSITIVE_QUERY_KEYS } from '../config/defaults';
import { percentDecode } from '../propagation/percent-encoding';
import { REDACTED, REDACTED_USER_INFO } from './constants';

/** Decides for a query key (lowercased, percent-decoded) whether its value becomes REDACTED. */
export type QueryKeyTest = (comparableKey: string) => boolean;

export interface UrlRulesOptions {
  redactQueryKey: QueryKeyTest;
  /** Replace user info (default true). */
  userInfo?: boolean;
  /** Whether a path segment is an identifier; undefined: path segments stay. */
  isPathId?: ((segment: string) => boolean) & { minLength?: number };
  /** Default `{id}`. */
  idReplacement?: string;
  /** Whether decoded text holds something to redact (a detector finds it). */
  hides?: (decoded: string) => boolean;
}

/** The query key as compared: lowercased, and percent-decoded when it is encoded. */
export function comparableQueryKey(key: string): string {
  if (!key.includes('%') && !key.includes('+')) return key.toLowerCase();
  return percentDecode(key.replace(/\+/g, ' ')).toLowerCase();
}

function decodeComponent(text: string): string {
  return percentDecode(text.replace(/\+/g, ' '));
}

/** The semantic-convention keys and `extra`, compared exactly (after comparableQueryKey). */
export function sensitiveKeySet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...SEMCONV_SENSITIVE_QUERY_KEYS, ...extra].map((key) => key.toLowerCase()));
}

/** Whether some '/'-separated segment of `path` is at least `length` long (cheaper than splitting). */
function hasSegmentOf(path: string, length: number): boolean {
  if (length <= 1) return path.length > 0;
  let start = 0;
  for (;;) {
    const slash = path.indexOf('/', start);
    const end = slash < 0 ? path.length : slash;
    if (end - start >= length) return true;
    if (slash < 0) return false;
    start = slash + 1;
  }
}

export class UrlRules {
  private readonly userInfo: boolean;
  private readonly idReplacement: string;

  constructor(private readonly options: UrlRulesOptions) {
    this.userInfo = options.userInfo ?? true;
    this.idReplacement = options.idReplacement ?? '{id}';
  }

  /** `https://user:pw@host/p/123?sig=x` → `https://REDACTED:REDACTED@host/p/{id}?sig=REDACTED`. */
  full(url: string): string {
    let result = url;
    const schemeEnd = result.indexOf('://');
    if (schemeEnd < 0) return this.target(result);
    const authorityStart = schemeEnd + 3;
    let authorityEnd = result.length;
    for (const delimiter of ['/', '?', '#']) {
      const at = result.indexOf(delimiter, authorityStart);
      if (at >= 0 && at < authorityEnd) authorityEnd = at;
    }
    if (this.userInfo) {
      const userInfoEnd = result.lastIndexOf('@', authorityEnd - 1);
      if (userInfoEnd >= authorityStart && result.slice(authorityStart, userInfoEnd) !== REDACTED_USER_INFO) {
        result = result.slice(0, authorityStart) + REDACTED_USER_INFO + result.slice(userInfoEnd);
        authorityEnd += REDACTED_USER_INFO.length - (userInfoEnd - authorityStart);
      }
    }
    const tail = result.slice(authorityEnd);
    const target = this.target(tail);
    return target === tail ? result : result.slice(0, authorityEnd) + target;
  }

  /** `path?query#fragment` (an http.target, or a URL without scheme). */
  target(target: string): string {
    const hash = target.indexOf('#');
    const question = target.indexOf('?');
    const hasQuery = question >= 0 && (hash < 0 || question < hash);
    const pathEnd = hasQuery ? question : hash >= 0 ? hash : target.length;
    if (pathEnd === target.length) return this.path(target);
    const originalPath = target.slice(0, pathEnd);
    const path = this.path(originalPath);
    if (!hasQuery) return path === originalPath ? target : path + target.slice(pathEnd);
    const queryEnd = hash >= 0 ? hash : target.length;
    const originalQuery = target.slice(question + 1, queryEnd);
    const query = this.query(originalQuery);
    if (path === originalPath && query === originalQuery) return target;
    return path + '?' + query + target.slice(queryEnd);
  }

  /** Identifier segments of a path become the placeholder. */
  path(path: string): string {
    const { isPathId, hides } = this.options;
    const encoded = hides !== undefined && path.includes('%');
    if (!encoded && (isPathId === undefined || !hasSegmentOf(path, isPathId.minLength ?? 1))) return path;
    const segments = path.split('/');
    let changed = false;
    for (let index = 0; index < segments.length; index++) {
      const segment = segments[index];
      if (segment === '' || segment === this.idReplacement || segment === REDACTED) continue;
      if (isPathId?.(segment)) {
        segments[index] = this.idReplacement;
        changed = true;
      } else if (hides !== undefined && segment.includes('%') && hides(decodeComponent(segment))) {
        segments[index] = REDACTED;
        changed = true;
      }
    }
    return changed ? segments.join('/') : path;
  }

  /** `a=1&Signature=x` → `a=1&Signature=REDACTED`. */
  query(query: string): string {
    const { redactQueryKey, hides } = this.options;
    let result = '';
    let copiedUpTo = 0;
    let start = 0;
    while (start <= query.length) {
      let end = query.indexOf('&', start);
      if (end < 0) end = query.length;
      const eq = query.indexOf('=', start);
      if (eq >= 0 && eq < end) {
        const value = query.slice(eq + 1, end);
        const redact =
          value !== REDACTED &&
          (redactQueryKey(comparableQueryKey(query.slice(start, eq))) || (hides !== undefined && /[%+]/.test(value) && hides(decodeComponent(value))));
        if (redact) {
          result += query.slice(copiedUpTo, eq + 1) + REDACTED;
          copiedUpTo = end;
        }
      }
      start = end + 1;
    }
    return copiedUpTo === 0 ? query : result + query.slice(copiedUpTo);
  }
}

/** Query values of the semantic-convention keys (and `sensitiveKeys`) become REDACTED. */
export function redactQuery(query: string, sensitiveKeys: ReadonlySet<string> = sensitiveKeySet()): string {
  return new UrlRules({ redactQueryKey: (key) => sensitiveKeys.has(key) }).query(query);
}

/** User info and sensitive query values of a URL, as the semantic conventions say. */
export function redactUrl(url: string, sensitiveKeys: ReadonlySet<string> = sensitiveKeySet()): string {
  return new UrlRules({ redactQueryKey: (key) => sensitiveKeys.has(key) }).full(url);
}
