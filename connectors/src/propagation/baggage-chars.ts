// Character classes of the W3C Baggage grammar, as lookup tables indexed by char code (< 128).
// Modules copy the table into a local constant and test `code < 128 && TABLE[code] === 1` in
// their own loops: no per-char function call across modules on the hot path.

/** tchar of RFC 7230 section 3.2.6: what baggage keys and property keys are made of. */
export const TCHAR_TABLE = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~") TCHAR_TABLE[ch.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR_TABLE[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR_TABLE[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR_TABLE[c] = 1;

/** baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E */
export const BAGGAGE_OCTET_TABLE = new Uint8Array(128);
for (let c = 0x21; c <= 0x7e; c++) BAGGAGE_OCTET_TABLE[c] = 1;
BAGGAGE_OCTET_TABLE[0x22] = 0; // DQUOTE
BAGGAGE_OCTET_TABLE[0x2c] = 0; // ,
BAGGAGE_OCTET_TABLE[0x3b] = 0; // ;
BAGGAGE_OCTET_TABLE[0x5c] = 0; // backslash
