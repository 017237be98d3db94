// Percent-encoding of W3C Baggage values (RFC 3986 section 2.1 over UTF-8). Our own because
// encodeURIComponent encodes more than the spec requires and decodeURIComponent throws on a lone
// '%' and on invalid UTF-8, where the spec wants U+FFFD.
import { BAGGAGE_OCTET_TABLE } from './baggage-chars';

const OCTET = BAGGAGE_OCTET_TABLE;
const PERCENT = 0x25;
const HEX_DIGITS = '0123456789ABCDEF';

/** A char that may appear literally in a serialized value: a baggage-octet other than '%'. */
function isLiteralSafe(code: number): boolean {
  return code < 128 && OCTET[code] === 1 && code !== PERCENT;
}

function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** The byte of a valid `%XX` escape at `index`, or -1. */
function escapedByte(raw: string, index: number): number {
  if (index + 2 >= raw.length) return -1;
  const high = hexDigitValue(raw.charCodeAt(index + 1));
  const low = hexDigitValue(raw.charCodeAt(index + 2));
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

/**
 * Percent-decode. `%XX` (either case) becomes the byte XX; a '%' not followed by two hex digits
 * stays a literal '%' (it is a baggage-octet, and the W3C reference implementation keeps it);
 * any other char stands for its own UTF-8 bytes. The bytes are then read as UTF-8 with invalid
 * sequences replaced by U+FFFD.
 */
export function percentDecode(raw: string): string {
  // Common case: ASCII text whose escapes are ASCII bytes; no Buffer needed.
  let out = '';
  let last = 0;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code >= 128) return decodeBytes(raw);
    if (code !== PERCENT) continue;
    const byte = escapedByte(raw, i);
    if (byte < 0) continue;
    if (byte >= 128) return decodeBytes(raw);
    out += raw.slice(last, i) + String.fromCharCode(byte);
    i += 2;
    last = i + 1;
  }
  return last === 0 ? raw : out + raw.slice(last);
}

/** The general case: escapes of non-ASCII bytes, or non-ASCII chars in loose input. */
function decodeBytes(raw: string): string {
  // Never more bytes than 3 per UTF-16 unit.
  const bytes = Buffer.allocUnsafe(raw.length * 3);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    const byte = code === PERCENT ? escapedByte(raw, i) : -1;
    if (byte >= 0) {
      bytes[length++] = byte;
      i += 2;
    } else if (code < 128) {
      bytes[length++] = code;
    } else {
      // A surrogate pair is written whole; a lone surrogate becomes U+FFFD.
      const end = code >= 0xd800 && code <= 0xdbff && i + 1 < raw.length ? i + 2 : i + 1;
      length += bytes.write(raw.slice(i, end), length, 'utf8');
      i = end - 1;
    }
  }
  return bytes.toString('utf8', 0, length);
}

function escape(byte: number): string {
  return '%' + HEX_DIGITS[byte >> 4] + HEX_DIGITS[byte & 15];
}

/**
 * Percent-encode the UTF-8 bytes of `value` that are not baggage-octets, and every '%'.
 * Everything else stays literal (the spec allows but does not require encoding it).
 */
export function percentEncode(value: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isLiteralSafe(code)) continue;
    if (code >= 128) return out + value.slice(last, i) + encodeBytes(value.slice(i));
    out += value.slice(last, i) + escape(code);
    last = i + 1;
  }
  return last === 0 ? value : out + value.slice(last);
}

/** UTF-8 encode, then escape every byte that is not literal-safe. */
function encodeBytes(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  let last = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (isLiteralSafe(bytes[i])) continue;
    out += bytes.toString('latin1', last, i) + escape(bytes[i]);
    last = i + 1;
  }
  return out + bytes.toString('latin1', last);
}
