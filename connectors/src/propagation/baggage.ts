// W3C Baggage codec (2022+ limits), strict on the grammar:
//   list-member = key OWS "=" OWS value *( OWS ";" OWS property )
//   property    = key OWS "=" OWS value / key OWS
//   key = RFC 7230 token, value = *baggage-octet (percent-encoded UTF-8)
// Decisions where the spec leaves a choice:
// - a malformed list-member is dropped and the others kept (the spec calls the outcome undefined
//   and allows this); empty members from combined fields are ignored (RFC 9110 list rule);
// - a key seen again later is dropped and the first kept (dedup is an allowed mutation, and the
//   OpenTelemetry Baggage is a map);
// - limits: at most 64 members and 8192 bytes across all fields; past either limit the remaining
//   members are dropped whole, on parse and on serialize alike;
// - a '%' not followed by two hex digits is a literal '%' (re-emitted as %25);
// - property values in `key=value` form are percent-decoded; a property without a value is kept
//   as it came (the W3C suite checks both). Properties travel as the entry's metadata string in
//   their canonical wire form, which is how OpenTelemetry serializers expect metadata.
// OpenTelemetry core's W3CBaggagePropagator still applies the pre-2022 limits and decodes with
// decodeURIComponent (which rejects values the spec accepts), so it is not used here.
import type { Baggage, BaggageEntry, BaggageEntryMetadata } from '@opentelemetry/api';
import { baggageEntryMetadataFromString } from '@opentelemetry/api';
import { BAGGAGE_OCTET_TABLE, TCHAR_TABLE } from './baggage-chars';
import { percentDecode, percentEncode } from './percent-encoding';
import { W3CBaggage } from './w3c-baggage';

export const BAGGAGE_HEADER = 'baggage';
export const MAX_BAGGAGE_MEMBERS = 64;
export const MAX_BAGGAGE_BYTES = 8192;

const TCHAR = TCHAR_TABLE;
const OCTET = BAGGAGE_OCTET_TABLE;

function isTokenRange(text: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || TCHAR[code] === 0) return false;
  }
  return true;
}

function isOctetRange(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || OCTET[code] === 0) return false;
  }
  return true;
}

/** An RFC 7230 token: what a baggage key (and property key) must be. */
export function isBaggageKey(key: unknown): key is string {
  return typeof key === 'string' && isTokenRange(key, 0, key.length);
}

/**
 * First index of `code` in `text[start, end)`, or `end`. Bounded on purpose: String#indexOf
 * would scan past the member and make a long header of malformed members quadratic.
 */
function indexIn(text: string, code: number, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) === code) return i;
  }
  return end;
}

const SEMICOLON = 0x3b;
const EQUALS = 0x3d;

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function skipOws(text: string, start: number, end: number): number {
  while (start < end && isOws(text.charCodeAt(start))) start++;
  return start;
}

function trimOwsEnd(text: string, start: number, end: number): number {
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return end;
}

/** One property, decoded: `value` is absent for a property without a value. */
export interface BaggageProperty {
  key: string;
  value?: string;
}

/**
 * Parse the `;`-separated properties in `text[start, end)` and return their canonical wire form.
 * Strict mode (header input) rejects the whole list on any fault; loose mode (metadata set by
 * code) skips bad properties and percent-encodes what needs it. Decoded properties go to `out`.
 */
function parsePropertyList(
  text: string,
  start: number,
  end: number,
  strict: boolean,
  out?: BaggageProperty[],
): string | undefined {
  let wire = '';
  let pos = start;
  while (pos <= end) {
    const semi = indexIn(text, SEMICOLON, pos, end);
    const s = skipOws(text, pos, semi);
    const e = trimOwsEnd(text, s, semi);
    pos = semi + 1;
    if (s === e) {
      if (strict) return undefined;
      continue;
    }
    const eq = indexIn(text, EQUALS, s, e);
    let property: string;
    if (eq === e) {
      if (!isTokenRange(text, s, e)) {
        if (strict) return undefined;
        continue;
      }
      property = text.substring(s, e);
      out?.push({ key: property });
    } else {
      const keyEnd = trimOwsEnd(text, s, eq);
      const valueStart = skipOws(text, eq + 1, e);
      if (!isTokenRange(text, s, keyEnd) || (strict && !isOctetRange(text, valueStart, e))) {
        if (strict) return undefined;
        continue;
      }
      const key = text.substring(s, keyEnd);
      const value = percentDecode(text.substring(valueStart, e));
      property = key + '=' + percentEncode(value);
      out?.push({ key, value });
    }
    wire = wire === '' ? property : wire + ';' + property;
  }
  return wire;
}

interface ParsedMember {
  key: string;
  entry: BaggageEntry;
  /** Canonical serialized form of the member. */
  wire: string;
}

/** Parse one trimmed, non-empty list-member `text[start, end)`. */
function parseMember(text: string, start: number, end: number): ParsedMember | undefined {
  const semi = indexIn(text, SEMICOLON, start, end);
  const eq = indexIn(text, EQUALS, start, semi);
  if (eq === semi) return undefined;
  const keyEnd = trimOwsEnd(text, start, eq);
  if (!isTokenRange(text, start, keyEnd)) return undefined;
  const valueStart = skipOws(text, eq + 1, semi);
  const valueEnd = trimOwsEnd(text, valueStart, semi);
  if (!isOctetRange(text, valueStart, valueEnd)) return undefined;

  const key = text.substring(start, keyEnd);
  const raw = text.substring(valueStart, valueEnd);
  const plain = raw.indexOf('%') < 0;
  const value = plain ? raw : percentDecode(raw);
  let wire = key + '=' + (plain ? raw : percentEncode(value));
  if (semi === end) return { key, entry: Object.freeze({ value }), wire };

  const properties = parsePropertyList(text, semi + 1, end, true);
  if (properties === undefined) return undefined;
  wire += ';' + properties;
  return { key, entry: Object.freeze({ value, metadata: baggageEntryMetadataFromString(properties) }), wire };
}

export interface BaggageParseResult {
  baggage: W3CBaggage;
  /** Malformed list-members that were dropped. */
  invalidMembers: number;
  /** Members dropped because their key appeared earlier. */
  duplicateMembers: number;
  /** Valid members dropped because the 64-member or 8192-byte limit was reached. */
  droppedMembers: number;
}

/** Accumulates the members of one header (all its fields) within the limits. */
class MemberCollector {
  readonly entries = new Map<string, BaggageEntry>();
  readonly wire = new Map<string, string>();
  serialized = '';
  invalidMembers = 0;
  duplicateMembers = 0;
  droppedMembers = 0;
  private full = false;

  addField(field: string): void {
    let pos = 0;
    while (pos <= field.length) {
      let comma = field.indexOf(',', pos);
      if (comma < 0) comma = field.length;
      const start = skipOws(field, pos, comma);
      const end = trimOwsEnd(field, start, comma);
      pos = comma + 1;
      if (start < end) this.addMember(field, start, end);
    }
  }

  private addMember(field: string, start: number, end: number): void {
    if (this.full) {
      this.droppedMembers++;
      return;
    }
    const member = parseMember(field, start, end);
    if (member === undefined) {
      this.invalidMembers++;
      return;
    }
    if (this.entries.has(member.key)) {
      this.duplicateMembers++;
      return;
    }
    const first = this.entries.size === 0;
    if (this.entries.size === MAX_BAGGAGE_MEMBERS || this.serialized.length + (first ? 0 : 1) + member.wire.length > MAX_BAGGAGE_BYTES) {
      // Past a limit every later member is dropped whole, as the serializer does.
      this.full = true;
      this.droppedMembers++;
      return;
    }
    this.entries.set(member.key, member.entry);
    this.wire.set(member.key, member.wire);
    this.serialized = first ? member.wire : this.serialized + ',' + member.wire;
  }
}

/** Parse and combine `baggage` fields, with counts of what was dropped and why. */
export function parseBaggageHeader(value: string | readonly string[] | undefined): BaggageParseResult {
  const collector = new MemberCollector();
  if (typeof value === 'string') {
    collector.addField(value);
  } else if (Array.isArray(value)) {
    for (const field of value) {
      if (typeof field === 'string') collector.addField(field);
      else collector.invalidMembers++;
    }
  }
  return {
    baggage: W3CBaggage.fromParsedMembers(collector.entries, collector.wire, collector.serialized),
    invalidMembers: collector.invalidMembers,
    duplicateMembers: collector.duplicateMembers,
    droppedMembers: collector.droppedMembers,
  };
}

/** Parse and combine `baggage` fields; undefined when no valid member remains. */
export function parseBaggage(value: string | readonly string[] | undefined): W3CBaggage | undefined {
  const { baggage } = parseBaggageHeader(value);
  return baggage.size === 0 ? undefined : baggage;
}

function metadataText(metadata: unknown): string {
  try {
    return typeof metadata === 'string' ? metadata : String(metadata);
  } catch {
    return '';
  }
}

/** Canonical wire form of an entry set by code; undefined when the key is not a token. */
function encodeMember(key: string, entry: BaggageEntry | undefined): string | undefined {
  if (!isBaggageKey(key) || typeof entry?.value !== 'string') return undefined;
  let wire = key + '=' + percentEncode(entry.value);
  if (entry.metadata !== undefined) {
    const text = metadataText(entry.metadata);
    const properties = parsePropertyList(text, 0, text.length, false);
    if (properties) wire += ';' + properties;
  }
  return wire;
}

function serializeEntries(baggage: Baggage): string {
  const parsed = baggage instanceof W3CBaggage ? baggage : undefined;
  let out = '';
  let count = 0;
  for (const [key, entry] of baggage.getAllEntries()) {
    const member = parsed?.wireForm(key) ?? encodeMember(key, entry);
    if (member === undefined) continue;
    // Drop whole members from the end: stop at the first one that does not fit.
    if (count === MAX_BAGGAGE_MEMBERS || out.length + (count === 0 ? 0 : 1) + member.length > MAX_BAGGAGE_BYTES) break;
    out = count === 0 ? member : out + ',' + member;
    count++;
  }
  return out;
}

/**
 * Serialize any OpenTelemetry Baggage to a valid header value ('' when nothing can be sent).
 * Entries whose key is not a token are skipped (a key cannot be percent-encoded).
 */
export function serializeBaggage(baggage: Baggage | undefined): string {
  if (baggage === undefined || baggage === null) return '';
  if (baggage instanceof W3CBaggage) return baggage.cachedSerialization(() => serializeEntries(baggage));
  try {
    return serializeEntries(baggage);
  } catch {
    return '';
  }
}

/** Decode the properties carried in an entry's metadata. */
export function parseBaggageProperties(metadata: BaggageEntryMetadata | string | undefined): BaggageProperty[] {
  const properties: BaggageProperty[] = [];
  if (metadata === undefined || metadata === null) return properties;
  const text = metadataText(metadata);
  parsePropertyList(text, 0, text.length, false, properties);
  return properties;
}

/** Entry metadata for the given properties (keys that are not tokens are left out). */
export function baggagePropertiesMetadata(properties: readonly BaggageProperty[]): BaggageEntryMetadata {
  let text = '';
  for (const { key, value } of properties) {
    if (!isBaggageKey(key)) continue;
    const property = value === undefined ? key : key + '=' + percentEncode(String(value));
    text = text === '' ? property : text + ';' + property;
  }
  return baggageEntryMetadataFromString(text);
}
