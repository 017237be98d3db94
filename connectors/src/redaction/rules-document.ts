// The redaction rules file as data: what schemas/redaction-rules.schema.json validates and what
// a YAML or JSON rules file holds. compileRules() turns it into CompiledRules for the engine.
// Every field is optional; a section left out turns its feature off (except where noted), so a
// file says exactly what it allows.

/** $id of schemas/redaction-rules.schema.json. */
export const RULES_SCHEMA_ID = 'https://threadline.dev/schemas/redaction-rules.schema.json';

/**
 * A key pattern: a glob where `*` matches any run of characters (`http.request.header.*`),
 * compared case-insensitively, or `{ regex }` for a regular expression (unanchored unless it
 * anchors itself; case-sensitive unless `ignoreCase`).
 */
export type KeyPattern = string | { regex: string; ignoreCase?: boolean };

export type ActionType = 'drop' | 'mask' | 'replace' | 'hash' | 'keep';

/**
 * What happens to a value (or, for detectors and patterns, to the matching part of a value):
 * - `drop`: the attribute is removed (for a span name or event name: replaced by `REDACTED`);
 * - `mask`: `****` followed by the last (or first) `keep` characters; the length is not kept;
 * - `replace`: the fixed text `with` (default `REDACTED`);
 * - `hash`: `hmac:` + hex of HMAC-SHA-256 keyed by the variable `hashing.keyEnv` names, so
 *   equal values correlate; without the key the value is dropped (never hashed unkeyed);
 * - `keep`: exported as is, no detector looks at it (only for key rules).
 * A string is the action with its defaults.
 */
export type RuleAction =
  | ActionType
  | { type: 'drop' }
  | { type: 'keep' }
  | { type: 'mask'; keep?: number; keepFrom?: 'start' | 'end' }
  | { type: 'replace'; with?: string }
  | { type: 'hash' };

/** Where a rule applies; every given field must match, a list matches when any entry does. */
export interface RuleScope {
  /** Globs on the resource's service.name. */
  services?: string[];
  /** Globs on the span name. */
  spanNames?: string[];
  kinds?: ('internal' | 'server' | 'client' | 'producer' | 'consumer')[];
  /** Globs on the span's http.route attribute (a span without one never matches). */
  routes?: string[];
}

/** A per-key action (attributes.rules): the first rule in file order whose keys and scope match wins. */
export interface KeyRule {
  /** Shown by explain and in test results; default `keyRules[n]`. */
  name?: string;
  keys: KeyPattern[];
  action: RuleAction;
  when?: RuleScope;
}

export interface AttributeRules {
  /** When set, a key matching none of these is dropped: the allow-list fails closed. */
  allow?: KeyPattern[];
  /** Keys whose values are exported as they are, without detectors. */
  safe?: KeyPattern[];
  /** Keys that are dropped. */
  block?: KeyPattern[];
  /** Per-key actions; they win over block and safe (not over allow). */
  rules?: KeyRule[];
}

export interface DetectorSetting {
  enabled?: boolean;
  /** Applied to the matching part; default `replace` (text `REDACTED`). */
  action?: RuleAction;
}

export interface ApiKeyDetectorSetting extends DetectorSetting {
  /** Prefixes that start a key (`sk_live_`, `ghp_`, `AKIA`…); the built-in list when left out. */
  prefixes?: string[];
  /** Characters after the prefix, at least. Default 12. */
  minTailLength?: number;
}

export interface EntropyDetectorSetting extends DetectorSetting {
  /** Shortest token (run of letters, digits, `+/=_-`) looked at. Default 20. */
  minLength?: number;
  /** Shannon entropy per character a token needs. Default 3.5. */
  minBitsPerChar?: number;
}

/** Value detectors; each is off unless `enabled: true` (or written as `true`). */
export interface DetectorRules {
  email?: boolean | DetectorSetting;
  /** 13–19 digits (spaces or dashes between), starting 2–6, passing the Luhn check. */
  paymentCard?: boolean | DetectorSetting;
  /** Country code, check digits, 11–30 letters/digits, passing the ISO 13616 mod-97 check. */
  iban?: boolean | DetectorSetting;
  /** `eyJ….eyJ….…` (a JWS or unsigned JWT in compact form). */
  jwt?: boolean | DetectorSetting;
  /** The credential after `Bearer`, `Basic`, `Digest` or `Token` (an Authorization header value). */
  bearerToken?: boolean | DetectorSetting;
  /** Keys with a known prefix. */
  apiKey?: boolean | ApiKeyDetectorSetting;
  /** Random-looking tokens (secrets without a known prefix). */
  highEntropy?: boolean | EntropyDetectorSetting;
  /** `scheme://user:password@` (and `scheme://user@`): the user info, default replaced by `REDACTED:REDACTED`. */
  urlCredentials?: boolean | DetectorSetting;
  /** International (`+` or `00` and 8–15 digits) and North-American (`(555) 123-4567`) numbers. */
  phone?: boolean | DetectorSetting;
  /** IPv4 dotted quads (not part of a longer dotted number such as a version) and IPv6 addresses. */
  ipAddress?: boolean | DetectorSetting;
}

/** A custom value pattern: the matching part gets the action. */
export interface ValuePattern {
  name?: string;
  /** With a group named `redact`, only that group is redacted. */
  regex: string;
  ignoreCase?: boolean;
  /** A cheap pre-check: the regex only runs on values containing one of these texts. */
  requires?: string[];
  action?: RuleAction;
  when?: RuleScope;
}

/** A value that wins over detectors and patterns: matched against the whole matching part (anchored). */
export interface AllowedValue {
  regex: string;
  ignoreCase?: boolean;
  when?: RuleScope;
}

export interface QueryRules {
  /**
   * `denylist` (default): the values of the semantic-convention keys (`sig`, `X-Amz-Signature`…)
   * and of `sensitiveKeys` become `REDACTED`; `allowlist`: every value whose key is not in
   * `allowedKeys` becomes `REDACTED` (the semantic-convention keys always do).
   */
  mode?: 'denylist' | 'allowlist';
  /** Globs on query keys, compared case-insensitively after percent-decoding. */
  sensitiveKeys?: string[];
  allowedKeys?: string[];
}

export interface PathIdRules {
  enabled?: boolean;
  /** Default `{id}`. */
  replacement?: string;
  /** All-digit segments. Default true. */
  numeric?: boolean;
  /** UUIDs. Default true. */
  uuid?: boolean;
  /** Hex segments of 16 characters or more. Default true. */
  hex?: boolean;
  /** Segments of 20 characters or more mixing letters and digits. Default true. */
  opaque?: boolean;
  /** Further regexes a whole segment must match. */
  patterns?: string[];
}

export interface UrlRules {
  query?: QueryRules;
  /** User info in url.full / http.url becomes REDACTED:REDACTED. Default true (semantic conventions). */
  userInfo?: boolean;
  pathIds?: PathIdRules;
}

/** A captured header allowed out; a string is the header name with detectors applied. */
export type HeaderRule = string | { name: string; action?: RuleAction };

/** Captured headers (`http.request.header.<name>`): dropped unless their name is listed. */
export interface HeaderRules {
  request?: HeaderRule[];
  response?: HeaderRule[];
}

export interface BodyFieldRule {
  /** JSON Pointer (RFC 6901) into the body, e.g. `/order/id`. */
  pointer: string;
  action?: RuleAction;
}

/**
 * Captured bodies: the capturing code sets `http.request.body` / `http.response.body` to the body
 * text (JSON). The engine always removes that attribute and, for each listed pointer present in
 * the body, adds one attribute named the body attribute followed by the pointer
 * (`http.request.body/order/id`), detectors applied. A body over `maxBytes` or not JSON is
 * removed without fields.
 */
export interface BodyRules {
  request?: BodyFieldRule[];
  response?: BodyFieldRule[];
  /** Largest body text parsed, in UTF-16 code units. Default 16384. */
  maxBytes?: number;
}

/** Which parts of a span the value rules look at; span attributes always. Each defaults to true. */
export interface ApplyRules {
  spanNames?: boolean;
  events?: boolean;
  /** exception.message / exception.stacktrace / exception.type on events and spans. */
  exceptions?: boolean;
  statusMessages?: boolean;
  links?: boolean;
  resourceAttributes?: boolean;
}

export interface BaggageForwardRule {
  keys: string[];
  /** `internal` (default), `external` or `any` destination. */
  to?: 'internal' | 'external' | 'any';
  /** Globs on destination host names; when given, only those hosts (internal or not). */
  hosts?: string[];
}

export interface BaggageRules {
  /** Globs on keys accepted from callers; every other member is stripped. Default none. */
  accept?: string[];
  /** Hosts that are internal: globs (`*.svc.cluster.local`), IPv4 CIDRs (`10.0.0.0/8`) or names. */
  internalHosts?: string[];
  /** Which keys go to which destinations; a key no rule forwards is stripped. */
  forward?: BaggageForwardRule[];
  /** Keys copied onto spans as `baggage.<key>` attributes (which then pass the attribute rules). */
  copyToSpans?: string[];
}

export interface HashingRules {
  /** Name of the environment variable that holds the HMAC key (at least 16 bytes). */
  keyEnv: string;
  /** Hex characters of the digest kept, 16–64. Default 32. */
  length?: number;
}

/**
 * An input span for test cases and explain. Span records and spans as the OTLP test receiver
 * decodes them fit this shape too; their ids, times and scope are ignored.
 */
export interface RuleTestSpan {
  /** Default `test`. */
  name?: string;
  /** A name, or the OTLP number (1 internal … 5 consumer). Default internal. */
  kind?: 'internal' | 'server' | 'client' | 'producer' | 'consumer' | number;
  /** service.name of the resource. Default `test` (or resource['service.name']). */
  service?: string;
  attributes?: Record<string, unknown>;
  events?: { name: string; attributes?: Record<string, unknown>; timeUnixNano?: string | number }[];
  links?: { attributes?: Record<string, unknown>; traceId?: string; spanId?: string; traceState?: string }[];
  /** A name, or the OTLP number (0 unset, 1 ok, 2 error). */
  status?: { code?: 'unset' | 'ok' | 'error' | number; message?: string };
  /** Resource attributes besides service.name. */
  resource?: Record<string, unknown>;
}

export interface RuleTestCase {
  name: string;
  given: {
    /** Shorthand for a span with these attributes. */
    attributes?: Record<string, unknown>;
    span?: RuleTestSpan;
    /** A baggage header value and what to do with it. */
    baggage?: { header: string; direction: 'inbound' | 'outbound' | 'span'; destination?: string };
  };
  expect: {
    /** Expected value per key after redaction; null means the attribute is gone. Unlisted keys are not checked. */
    attributes?: Record<string, unknown>;
    name?: string;
    /** Per event index: expected name and attributes (null = gone). */
    events?: { name?: string; attributes?: Record<string, unknown> }[];
    resource?: Record<string, unknown>;
    statusMessage?: string | null;
    /** None of these texts may appear anywhere in the redacted span. */
    notContains?: string[];
    /** The baggage after filtering, key → value (null = stripped); for `span`, the attributes made. */
    baggage?: Record<string, string | null>;
  };
}

export interface RedactionRules {
  $schema?: string;
  /** Format version; 1. */
  version?: 1;
  name?: string;
  description?: string;
  attributes?: AttributeRules;
  detectors?: DetectorRules;
  patterns?: ValuePattern[];
  allowedValues?: AllowedValue[];
  url?: UrlRules;
  headers?: HeaderRules;
  bodies?: BodyRules;
  apply?: ApplyRules;
  baggage?: BaggageRules;
  hashing?: HashingRules;
  /** Record threadline.redaction.count / .keys on spans where something was redacted. Default true. */
  summary?: boolean;
  tests?: RuleTestCase[];
}
