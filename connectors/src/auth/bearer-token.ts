// Bearer tokens for Threadline's own HTTP endpoints (the interceptor's admin plane, the built-in
// collector): checked once at start (long enough, sendable as a Bearer token) and compared in
// constant time on every request. Both sides are hashed first so that neither the content nor
// the length of the expected token shows in the comparison time.
import { createHash, timingSafeEqual } from 'node:crypto';

/** Shortest token accepted (the interceptor's config schema says the same). */
export const MIN_TOKEN_LENGTH = 16;

// Visible ASCII without spaces: what a client can put after "Bearer " in a header unchanged.
const SENDABLE_TOKEN = /^[\x21-\x7e]+$/;
// Scheme names are case-insensitive (RFC 9110 §11.1); one or more spaces before the token.
const BEARER_CREDENTIALS = /^bearer +([^ ]+) *$/i;

export type TokenCheck = 'ok' | 'missing' | 'invalid';

/**
 * Throws, naming the setting, when `token` cannot serve as a Bearer token. Never echoes the token.
 * `guards` says what the token protects, for the message when it is empty.
 */
export function assertUsableToken(token: string | undefined, setting: string, guards = 'these endpoints'): asserts token is string {
  if (token === undefined || token.length === 0) {
    throw new Error(`${setting} is empty: ${guards} need a token of at least ${MIN_TOKEN_LENGTH} characters`);
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`${setting} is too short: ${token.length} characters, at least ${MIN_TOKEN_LENGTH} are required`);
  }
  if (!SENDABLE_TOKEN.test(token)) {
    throw new Error(`${setting} must be visible ASCII characters without spaces, so that it can be sent as a Bearer token`);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class BearerTokenVerifier {
  private readonly expected: Buffer;

  constructor(token: string, setting: string, guards?: string) {
    assertUsableToken(token, setting, guards);
    this.expected = digest(token);
  }

  /** Checks an `Authorization` header value. */
  check(authorization: string | undefined): TokenCheck {
    if (authorization === undefined || authorization.length === 0) return 'missing';
    const match = BEARER_CREDENTIALS.exec(authorization);
    if (!match) return 'invalid';
    return timingSafeEqual(digest(match[1]!), this.expected) ? 'ok' : 'invalid';
  }
}
