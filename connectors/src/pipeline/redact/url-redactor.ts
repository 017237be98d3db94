// Semantic-convention URL defaults: the values of sensitive query parameters become REDACTED and
// user info becomes REDACTED:REDACTED. The transforms work on the string as it is, without a URL
// parser, so nothing else in the value is re-encoded and malformed URLs are still redacted.
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ATTR_URL_FULL, ATTR_URL_QUERY } from '@opentelemetry/semantic-conventions';
import type { RedactableParts, Redactor } from './redactor';
import { partsOf } from './redactor';
import { SEMCONV_SENSITIVE_QUERY_KEYS } from '../../config/defaults';

/** Deprecated HTTP attributes still sent by older instrumentations (incubating names, pinned here). */
export const ATTR_HTTP_URL = 'http.url';
export const ATTR_HTTP_TARGET = 'http.target';

export const REDACTED = 'REDACTED';
export const REDACTED_USER_INFO = 'REDACTED:REDACTED';


type UrlPart = 'full' | 'query' | 'target';

const URL_ATTRIBUTES: Readonly<Record<string, UrlPart>> = {
  [ATTR_URL_FULL]: 'full',
  [ATTR_HTTP_URL]: 'full',
  [ATTR_URL_QUERY]: 'query',
  [ATTR_HTTP_TARGET]: 'target',
};

function comparableKey(key: string): string {
  if (!key.includes('%') && !key.includes('+')) return key.toLowerCase();
  try {
    return decodeURIComponent(key.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return key.toLowerCase();
  }
}

/**
 * `a=1&Signature=x` → `a=1&Signature=REDACTED`. Keys compare case-insensitively and after
 * percent-decoding: redacting a look-alike key costs nothing, missing a real one leaks a secret.
 */
export function redactQuery(query: string, sensitiveKeys: ReadonlySet<string>): string {
  let result = '';
  let copiedUpTo = 0;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    const eq = query.indexOf('=', start);
    if (eq >= 0 && eq < end) {
      const value = query.slice(eq + 1, end);
      if (value !== REDACTED && sensitiveKeys.has(comparableKey(query.slice(start, eq)))) {
        result += query.slice(copiedUpTo, eq + 1) + REDACTED;
        copiedUpTo = end;
      }
    }
    start = end + 1;
  }
  return copiedUpTo === 0 ? query : result + query.slice(copiedUpTo);
}

/** Redacts the query of `path?query#fragment` (an http.target or the tail of a URL). */
function redactTarget(target: string, sensitiveKeys: ReadonlySet<string>): string {
  const question = target.indexOf('?');
  if (question < 0) return target;
  const hash = target.indexOf('#', question);
  const end = hash < 0 ? target.length : hash;
  const query = redactQuery(target.slice(question + 1, end), sensitiveKeys);
  return target.slice(0, question + 1) + query + target.slice(end);
}

/** `https://user:pw@host/p?sig=x` → `https://REDACTED:REDACTED@host/p?sig=REDACTED`. */
export function redactUrl(url: string, sensitiveKeys: ReadonlySet<string>): string {
  let result = url;
  const schemeEnd = result.indexOf('://');
  if (schemeEnd >= 0) {
    const authorityStart = schemeEnd + 3;
    let authorityEnd = result.length;
    for (const delimiter of ['/', '?', '#']) {
      const at = result.indexOf(delimiter, authorityStart);
      if (at >= 0 && at < authorityEnd) authorityEnd = at;
    }
    const userInfoEnd = result.lastIndexOf('@', authorityEnd - 1);
    if (userInfoEnd >= authorityStart && result.slice(authorityStart, userInfoEnd) !== REDACTED_USER_INFO) {
      result = result.slice(0, authorityStart) + REDACTED_USER_INFO + result.slice(userInfoEnd);
    }
  }
  return redactTarget(result, sensitiveKeys);
}

function redactValue(value: AttributeValue, part: UrlPart, sensitiveKeys: ReadonlySet<string>): AttributeValue {
  const redactOne = (text: string): string =>
    part === 'full' ? redactUrl(text, sensitiveKeys) : part === 'query' ? redactQuery(text, sensitiveKeys) : redactTarget(text, sensitiveKeys);
  if (typeof value === 'string') return redactOne(value);
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? redactOne(item) : item)) as AttributeValue;
  return value;
}

/** The attributes with URL values redacted; the same object when nothing changed. */
export function redactUrlAttributes(attributes: Attributes, sensitiveKeys: ReadonlySet<string>): Attributes {
  let result: Attributes | undefined;
  for (const key of Object.keys(attributes)) {
    const part = URL_ATTRIBUTES[key];
    const value = attributes[key];
    if (part === undefined || value === undefined) continue;
    const redacted = redactValue(value, part, sensitiveKeys);
    if (redacted === value) continue;
    result ??= { ...attributes };
    result[key] = redacted;
  }
  return result ?? attributes;
}

/** The default Redactor until the rule engine replaces it: URL attributes of spans and events. */
export class UrlRedactor implements Redactor {
  private readonly sensitiveKeys: ReadonlySet<string>;

  /** The semantic-convention defaults are always included; `extraKeys` extends them. */
  constructor(extraKeys: readonly string[] = []) {
    this.sensitiveKeys = new Set([...SEMCONV_SENSITIVE_QUERY_KEYS, ...extraKeys].map((key) => key.toLowerCase()));
  }

  redact(span: ReadableSpan): RedactableParts {
    const parts = partsOf(span);
    parts.attributes = redactUrlAttributes(span.attributes, this.sensitiveKeys);
    let events: TimedEvent[] | undefined;
    span.events.forEach((event, index) => {
      if (!event.attributes) return;
      const attributes = redactUrlAttributes(event.attributes, this.sensitiveKeys);
      if (attributes === event.attributes) return;
      events ??= span.events.slice();
      events[index] = { ...event, attributes };
    });
    if (events) parts.events = events;
    return parts;
  }
}
