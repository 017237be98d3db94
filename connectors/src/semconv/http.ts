// The one place that turns an HTTP exchange into stable HTTP semantic-convention attributes, a span
// name and a span status. Framework-free on purpose: every input is a plain value (method, URL,
// header record, status code, error), so the axios, fetch and express wrappers and the interceptor
// proxy all describe HTTP the same way. No redaction happens here: url.full and url.query are
// redacted by the pipeline, in one place, before export.

import type { Attributes, Span, SpanStatus } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_HEADER,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_HEADER,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  ERROR_TYPE_VALUE_OTHER,
  HTTP_REQUEST_METHOD_VALUE_CONNECT,
  HTTP_REQUEST_METHOD_VALUE_DELETE,
  HTTP_REQUEST_METHOD_VALUE_GET,
  HTTP_REQUEST_METHOD_VALUE_HEAD,
  HTTP_REQUEST_METHOD_VALUE_OPTIONS,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
  HTTP_REQUEST_METHOD_VALUE_PATCH,
  HTTP_REQUEST_METHOD_VALUE_POST,
  HTTP_REQUEST_METHOD_VALUE_PUT,
  HTTP_REQUEST_METHOD_VALUE_TRACE,
} from '@opentelemetry/semantic-conventions';

/** One header value as frameworks hand it over: joined, split into fields, or numeric. */
export type HttpHeaderValue = string | readonly string[] | number | undefined;

/** Headers as a plain record; names are matched case-insensitively. */
export type HttpHeaderRecord = Readonly<Record<string, HttpHeaderValue>>;

/** Span kinds an HTTP span can have. */
export type HttpSpanKind = SpanKind.CLIENT | SpanKind.SERVER;

/** error.type when a server span ends because the client went away before the response was complete. */
export const ERROR_TYPE_CLIENT_ABORTED = 'client_aborted';

/** Span name for requests whose method is not a known one (semantic conventions: `HTTP`). */
const UNKNOWN_METHOD_SPAN_NAME = 'HTTP';

// RFC 9110 methods plus PATCH: the set the conventions call "known". Matching is case-sensitive.
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  HTTP_REQUEST_METHOD_VALUE_CONNECT,
  HTTP_REQUEST_METHOD_VALUE_DELETE,
  HTTP_REQUEST_METHOD_VALUE_GET,
  HTTP_REQUEST_METHOD_VALUE_HEAD,
  HTTP_REQUEST_METHOD_VALUE_OPTIONS,
  HTTP_REQUEST_METHOD_VALUE_PATCH,
  HTTP_REQUEST_METHOD_VALUE_POST,
  HTTP_REQUEST_METHOD_VALUE_PUT,
  HTTP_REQUEST_METHOD_VALUE_TRACE,
]);

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ws: 80, wss: 443 };

export interface NormalizedHttpMethod {
  /** Value of http.request.method: a known method, or `_OTHER`. */
  method: string;
  /** Value of http.request.method_original, set only when it differs from `method`. */
  original?: string;
}

/** Maps a request method onto the conventions' known set (`_OTHER` + the original otherwise). */
export function normalizeHttpMethod(rawMethod: string): NormalizedHttpMethod {
  if (KNOWN_METHODS.has(rawMethod)) return { method: rawMethod };
  return { method: HTTP_REQUEST_METHOD_VALUE_OTHER, original: rawMethod };
}

/** `{method} {route}` when a low-cardinality route is known, else `{method}`; unknown methods → `HTTP`. */
export function httpSpanName(rawMethod: string, route?: string): string {
  const { method } = normalizeHttpMethod(rawMethod);
  const methodPart = method === HTTP_REQUEST_METHOD_VALUE_OTHER ? UNKNOWN_METHOD_SPAN_NAME : method;
  return route ? `${methodPart} ${route}` : methodPart;
}

/**
 * `http.request.header.<name>` / `http.response.header.<name>` for the opted-in names only, each
 * value a string[] (one element per header field when the framework keeps them apart).
 */
export function capturedHeaderAttributes(
  direction: 'request' | 'response',
  headers: HttpHeaderRecord | undefined,
  names: readonly string[] | undefined,
): Attributes {
  const attributes: Attributes = {};
  if (!headers || !names || names.length === 0) return attributes;
  const keyOf = direction === 'request' ? ATTR_HTTP_REQUEST_HEADER : ATTR_HTTP_RESPONSE_HEADER;
  for (const name of names) {
    const lowerName = name.toLowerCase();
    const values = headerValues(headers, lowerName);
    if (values.length > 0) attributes[keyOf(lowerName)] = values;
  }
  return attributes;
}

/** Every value of a header, matched case-insensitively, one element per field or joined value. */
export function headerValues(headers: HttpHeaderRecord, lowerName: string): string[] {
  const values: string[] = [];
  // No entry arrays and no lower-cased copy of every name: this runs for each absent header (a
  // client without a User-Agent) on every request.
  for (const key in headers) {
    if (key.length !== lowerName.length || (key !== lowerName && key.toLowerCase() !== lowerName)) continue;
    if (!Object.prototype.hasOwnProperty.call(headers, key)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else if (typeof value === 'number') values.push(String(value));
    else values.push(...value);
  }
  return values;
}

function firstHeaderValue(headers: HttpHeaderRecord | undefined, lowerName: string): string | undefined {
  if (!headers) return undefined;
  // Node's header records use lower-case names: one lookup instead of a scan of every header.
  const own = Object.prototype.hasOwnProperty.call(headers, lowerName) ? headers[lowerName] : undefined;
  if (typeof own === 'string') return own;
  const [first] = headerValues(headers, lowerName);
  return first;
}

function methodAttributes(rawMethod: string): Attributes {
  const { method, original } = normalizeHttpMethod(rawMethod);
  const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: method };
  if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
  return attributes;
}

/** `1.1` stays, `2.0` becomes `2` (the conventions' spelling); anything else is passed through. */
function protocolVersionValue(version: string): string {
  if (version === '1.1') return version;
  const majorOnly = /^([2-9])\.0$/.exec(version);
  return majorOnly ? majorOnly[1]! : version;
}

function defaultPort(scheme: string): number | undefined {
  return DEFAULT_PORTS[scheme];
}

function stripIpv6Brackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

export interface HttpClientRequestInfo {
  method: string;
  /** The absolute URL the request goes to. A string that is not a URL is kept as url.full only. */
  url: string | URL;
  headers?: HttpHeaderRecord;
  /** Request header names to capture (opt-in; nothing is captured otherwise). */
  captureHeaders?: readonly string[];
  protocolVersion?: string;
}

/** Attributes known when a CLIENT span starts. */
export function httpClientRequestAttributes(info: HttpClientRequestInfo): Attributes {
  const attributes: Attributes = methodAttributes(info.method);
  const parsed = parseUrl(info.url);
  if (parsed) {
    const scheme = parsed.protocol.slice(0, -1);
    attributes[ATTR_URL_FULL] = parsed.href;
    attributes[ATTR_URL_SCHEME] = scheme;
    if (parsed.hostname) attributes[ATTR_SERVER_ADDRESS] = stripIpv6Brackets(parsed.hostname);
    const port = parsed.port ? Number(parsed.port) : defaultPort(scheme);
    if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
  } else {
    attributes[ATTR_URL_FULL] = String(info.url);
  }
  const userAgent = firstHeaderValue(info.headers, 'user-agent');
  if (userAgent !== undefined) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  if (info.protocolVersion) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = protocolVersionValue(info.protocolVersion);
  Object.assign(attributes, capturedHeaderAttributes('request', info.headers, info.captureHeaders));
  return attributes;
}

function parseUrl(url: string | URL): URL | undefined {
  if (url instanceof URL) return url;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export interface HttpServerRequestInfo {
  method: string;
  /** The request-target as received: `/path?query`, an absolute URL (proxies) or `*`. */
  target: string;
  /** `http` or `https`, as the server saw it (or as a trusted proxy reported it). */
  scheme: string;
  /** Header record; `host` and `user-agent` are read from it. */
  headers?: HttpHeaderRecord;
  /** Request header names to capture (opt-in; nothing is captured otherwise). */
  captureHeaders?: readonly string[];
  clientAddress?: string;
  protocolVersion?: string;
  /** Low-cardinality route template, when already known. */
  route?: string;
}

/** Attributes known when a SERVER span starts. */
export function httpServerRequestAttributes(info: HttpServerRequestInfo): Attributes {
  const attributes: Attributes = methodAttributes(info.method);
  const { path, query, authority } = splitRequestTarget(info.target);
  attributes[ATTR_URL_PATH] = path;
  if (query) attributes[ATTR_URL_QUERY] = query;
  attributes[ATTR_URL_SCHEME] = info.scheme;
  const host = parseHostHeader(authority ?? firstHeaderValue(info.headers, 'host'));
  if (host) {
    attributes[ATTR_SERVER_ADDRESS] = host.address;
    const port = host.port ?? defaultPort(info.scheme);
    if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
  }
  if (info.clientAddress) attributes[ATTR_CLIENT_ADDRESS] = info.clientAddress;
  if (info.protocolVersion) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = protocolVersionValue(info.protocolVersion);
  const userAgent = firstHeaderValue(info.headers, 'user-agent');
  if (userAgent !== undefined) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  if (info.route) attributes[ATTR_HTTP_ROUTE] = info.route;
  Object.assign(attributes, capturedHeaderAttributes('request', info.headers, info.captureHeaders));
  return attributes;
}

interface RequestTargetParts {
  path: string;
  query: string;
  /** host[:port] of an absolute-form target. */
  authority?: string;
}

/** Splits a request-target into url.path and url.query (without `?`), keeping both raw. */
export function splitRequestTarget(target: string): RequestTargetParts {
  // origin-form (`/path?query`, nearly every request) cannot be absolute-form
  const absolute = target.charCodeAt(0) === 0x2f ? null : /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)(.*)$/.exec(target);
  const authority = absolute?.[1];
  let rest = absolute ? absolute[2]! : target;
  const hashAt = rest.indexOf('#');
  if (hashAt >= 0) rest = rest.slice(0, hashAt);
  const queryAt = rest.indexOf('?');
  const path = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
  const query = queryAt >= 0 ? rest.slice(queryAt + 1) : '';
  const parts: RequestTargetParts = { path: path || '/', query };
  if (authority !== undefined) parts.authority = authority.slice(authority.lastIndexOf('@') + 1);
  return parts;
}

// host = reg-name / IPv4 / "[" IPv6 "]", optional ":" port. Anything else is ignored, not guessed.
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[^\s/?#@[\]:]+)(?::(\d{1,5}))?$/;

/** server.address and server.port from a Host header (or an authority), if it is well-formed. */
export function parseHostHeader(host: string | undefined): { address: string; port?: number } | undefined {
  if (host === undefined) return undefined;
  const match = HOST_HEADER.exec(host.trim());
  if (!match) return undefined;
  const parsed: { address: string; port?: number } = { address: stripIpv6Brackets(match[1]!) };
  if (match[2] !== undefined) {
    const port = Number(match[2]);
    if (port <= 65535) parsed.port = port;
  }
  return parsed;
}

/** How an HTTP exchange ended, as far as the span is concerned. */
export interface HttpOutcome {
  /** The response status code, when a response was sent or received. */
  statusCode?: number;
  /** The transport failure (or client abort) that ended the exchange, if any. */
  error?: unknown;
  /** Set instead of `error` when the failure has a known low-cardinality name (e.g. client_aborted). */
  errorType?: string;
  /** Response headers and the names to capture from them (opt-in). */
  headers?: HttpHeaderRecord;
  captureHeaders?: readonly string[];
}

function isValidStatusCode(statusCode: number): boolean {
  return Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599;
}

/** True when a status code makes the span an error: SERVER on 5xx only, CLIENT on 4xx and 5xx. */
export function isErrorStatusCode(kind: HttpSpanKind, statusCode: number): boolean {
  if (!isValidStatusCode(statusCode)) return true;
  return kind === SpanKind.SERVER ? statusCode >= 500 : statusCode >= 400;
}

/**
 * error.type of a failure: the error's string `code` (ECONNREFUSED, ERR_CANCELED...), else its
 * cause's code (fetch wraps socket errors), else its name or class (AbortError, TimeoutError), else
 * `_OTHER`.
 */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return ERROR_TYPE_VALUE_OTHER;
  const ownCode = stringProperty(error, 'code');
  if (ownCode) return ownCode;
  const cause = (error as { cause?: unknown }).cause;
  if (typeof cause === 'object' && cause !== null) {
    const causeCode = stringProperty(cause, 'code');
    if (causeCode) return causeCode;
  }
  const name = stringProperty(error, 'name');
  if (name) return name;
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof className === 'string' && className && className !== 'Object') return className;
  return ERROR_TYPE_VALUE_OTHER;
}

function stringProperty(value: object, key: string): string | undefined {
  try {
    const property = (value as Record<string, unknown>)[key];
    return typeof property === 'string' && property.length > 0 ? property : undefined;
  } catch {
    return undefined; // a throwing getter must not break the span
  }
}

/** Attributes known when the exchange ends: status code, error.type, captured response headers. */
export function httpOutcomeAttributes(kind: HttpSpanKind, outcome: HttpOutcome): Attributes {
  const attributes: Attributes = {};
  const { statusCode } = outcome;
  if (statusCode !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = statusCode;
  const errorType = outcomeErrorType(kind, outcome);
  if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
  Object.assign(attributes, capturedHeaderAttributes('response', outcome.headers, outcome.captureHeaders));
  return attributes;
}

function outcomeErrorType(kind: HttpSpanKind, outcome: HttpOutcome): string | undefined {
  if (outcome.errorType !== undefined) return outcome.errorType;
  if (outcome.error !== undefined) return errorTypeOf(outcome.error);
  if (outcome.statusCode !== undefined && isErrorStatusCode(kind, outcome.statusCode)) {
    return String(outcome.statusCode);
  }
  return undefined;
}

/** The span status for an outcome: ERROR per the rules above, UNSET otherwise (never OK). */
export function httpSpanStatus(kind: HttpSpanKind, outcome: HttpOutcome): SpanStatus {
  if (outcome.error !== undefined || outcome.errorType !== undefined) {
    const status: SpanStatus = { code: SpanStatusCode.ERROR };
    const message = errorMessageOf(outcome.error);
    if (message) status.message = message;
    return status;
  }
  if (outcome.statusCode !== undefined && isErrorStatusCode(kind, outcome.statusCode)) {
    // No description: the reason is in http.response.status_code.
    return { code: SpanStatusCode.ERROR };
  }
  return { code: SpanStatusCode.UNSET };
}

function errorMessageOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return stringProperty(error, 'message');
}

/**
 * Records an outcome on a live span: attributes, status, the exception event for a thrown error.
 * Does not end the span.
 */
export function recordHttpOutcome(span: Span, kind: HttpSpanKind, outcome: HttpOutcome): void {
  span.setAttributes(httpOutcomeAttributes(kind, outcome));
  const status = httpSpanStatus(kind, outcome);
  if (status.code !== SpanStatusCode.UNSET) span.setStatus(status);
  if (outcome.error instanceof Error) span.recordException(outcome.error);
}
