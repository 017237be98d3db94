// Independent grammar checks for what the codecs emit, written as plain regular expressions
// straight from the specs' ABNF, so no test checks the parser with the parser itself.

/** traceparent as we emit it: version 00, non-zero ids, only the sampled and random bits. */
export const EMITTED_TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[0-3]$/;

/** Any traceparent field value (used to read the outgoing headers of the conformance hop). */
export const TRACEPARENT_FIELDS = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const TRACESTATE_KEY = '[a-z0-9][a-z0-9_\\-*/@]{0,255}';
const TRACESTATE_VALUE = '[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]';
export const TRACESTATE_MEMBER = new RegExp(`^(${TRACESTATE_KEY})=(${TRACESTATE_VALUE})$`);

/** A tracestate we emit: 1-32 members, no whitespace, no empty member, no key twice. */
export function isEmittedTracestate(value: string): boolean {
  const members = value.split(',');
  if (members.length < 1 || members.length > 32) return false;
  const keys = new Set<string>();
  for (const member of members) {
    const match = TRACESTATE_MEMBER.exec(member);
    if (!match || keys.has(match[1])) return false;
    keys.add(match[1]);
  }
  return true;
}

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const BAGGAGE_OCTETS = '[\\x21\\x23-\\x2b\\x2d-\\x3a\\x3c-\\x5b\\x5d-\\x7e]*';
export const BAGGAGE_MEMBER = new RegExp(`^${TOKEN}=${BAGGAGE_OCTETS}(;${TOKEN}(=${BAGGAGE_OCTETS})?)*$`);

/** A baggage header we emit: 1-64 members, at most 8192 bytes, every '%' starting a %XX. */
export function isEmittedBaggage(value: string): boolean {
  if (Buffer.byteLength(value) > 8192) return false;
  const members = value.split(',');
  if (members.length < 1 || members.length > 64) return false;
  return members.every((member) => BAGGAGE_MEMBER.test(member) && !/%(?![0-9A-F]{2})/.test(valueParts(member)));
}

/** The value and property values of a member (property keys may hold a literal '%'). */
function valueParts(member: string): string {
  return member
    .split(';')
    .map((part, index) => (index === 0 || part.includes('=') ? part.slice(part.indexOf('=') + 1) : ''))
    .join(';');
}
