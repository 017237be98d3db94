// The collector's token: checked once at start and compared in constant time on every request
// (both sides hashed, so neither the content nor the length shows in the timing). The same rules
// as the interceptor's admin token, which this package cannot import (the interceptor depends on
// the collector, not the other way round).
import { createHash, timingSafeEqual } from 'node:crypto';

export const MIN_TOKEN_LENGTH = 16;
const SENDABLE_TOKEN = /^[\x21-\x7e]+$/;
const BEARER_CREDENTIALS = /^bearer +([^ ]+) *$/i;

/** Throws, naming the setting, when `token` cannot serve as a Bearer token. Never echoes the token. */
export function assertUsableToken(token: string, setting: string): void {
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`${setting} is too short: ${token.length} characters, at least ${MIN_TOKEN_LENGTH} are required`);
  if (!SENDABLE_TOKEN.test(token)) throw new Error(`${setting} must be visible ASCII characters without spaces, so that it can be sent as a Bearer token`);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class BearerToken {
  private readonly expected: Buffer;

  constructor(token: string, setting: string) {
    assertUsableToken(token, setting);
    this.expected = digest(token);
  }

  /** Whether an `Authorization` header value carries the token. */
  accepts(authorization: string | undefined): boolean {
    const match = BEARER_CREDENTIALS.exec(authorization ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), this.expected);
  }
}
