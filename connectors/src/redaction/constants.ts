// Names and texts the engine writes; one place, so the CLI, tests and docs agree.

/** What a redacted value (or the redacted part of one) becomes by default. */
export const REDACTED = 'REDACTED';
/** What user info in a URL becomes (semantic conventions). */
export const REDACTED_USER_INFO = 'REDACTED:REDACTED';
/** Prefix of a hashed value: `hmac:` + hex of HMAC-SHA-256. */
export const HASH_PREFIX = 'hmac:';
/** Set on a span where something was redacted: how many values were changed or removed. */
export const ATTR_REDACTION_COUNT = 'threadline.redaction.count';
/** Set with ATTR_REDACTION_COUNT: the names of the keys (never the values) that were redacted. */
export const ATTR_REDACTION_KEYS = 'threadline.redaction.keys';
/** At most this many key names are listed in ATTR_REDACTION_KEYS; the count stays exact. */
export const MAX_SUMMARY_KEYS = 32;
/** Pseudo key names in the summary for parts of a span that are not attributes. */
export const SPAN_NAME_KEY = '(span.name)';
export const STATUS_MESSAGE_KEY = '(status.message)';
export const EVENT_NAME_KEY = '(event.name)';
/** Listed in the summary instead of a key name that itself held something a detector found. */
export const REDACTED_KEY_NAME = '(redacted key)';
