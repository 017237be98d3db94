// The headers a proxy forwards, in both directions. RFC 9110 §7.6.1: connection-specific fields
// (Connection, every field Connection names, and the classic hop-by-hop set) belong to one
// connection and are never forwarded. RFC 9110 §7.2: Host names the upstream, so it is set from
// the upstream URL, never taken from the client. X-Forwarded-For/-Proto/-Host are appended to
// what earlier proxies wrote.
import { createPropagator, PROPAGATOR_NAMES } from '@threadline/connectors';

/** A header map as undici takes it: lowercase names, repeated fields as arrays. */
export type ForwardHeaders = Record<string, string | string[]>;

const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // Node's server has already answered "100 Continue"; the upstream request must not wait for one.
  'expect',
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

/** Every header name any supported propagation format writes: removed before the proxy injects its own context. */
export const TRACE_HEADER_NAMES: ReadonlySet<string> = new Set(createPropagator({ inbound: [], outbound: [...PROPAGATOR_NAMES] }).fields().map((name) => name.toLowerCase()));

/** The names a Connection header lists (lowercase), which are connection-specific too. */
function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  let tokens: Set<string> | undefined;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive') (tokens ??= new Set()).add(name);
  }
  return tokens;
}

function add(headers: ForwardHeaders, name: string, value: string): void {
  const existing = headers[name];
  if (existing === undefined) headers[name] = value;
  else if (typeof existing === 'string') headers[name] = [existing, value];
  else existing.push(value);
}

export interface RequestHeaderOptions {
  /** Drop every trace-context field (the tracing pass writes fresh ones). */
  dropTraceHeaders: boolean;
  /** Host header for the upstream: host[:port] of its URL. */
  upstreamHost: string;
  clientAddress: string | undefined;
  /** The scheme the client used to reach the proxy. */
  clientScheme: string;
  /** Keep Upgrade and Connection: upgrade (WebSocket pass-through). */
  keepUpgrade?: boolean;
}

/**
 * The upstream request's headers from the client's raw header list: hop-by-hop fields removed,
 * Host from the upstream, X-Forwarded-* appended. Repeated fields stay separate.
 */
export function forwardRequestHeaders(rawHeaders: readonly string[], options: RequestHeaderOptions): ForwardHeaders {
  // No prototype: a client's "__proto__" header is then just a header.
  const headers = Object.create(null) as ForwardHeaders;
  let connection: string | undefined;
  let clientHost: string | undefined;
  let forwardedFor: string | undefined;
  let forwardedProto: string | undefined;
  let forwardedHost: string | undefined;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!.toLowerCase();
    const value = rawHeaders[index + 1]!;
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') connection = connection === undefined ? value : `${connection}, ${value}`;
      else if (name === 'host') clientHost ??= value;
      else if (name === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      else if (name === 'x-forwarded-proto') forwardedProto = forwardedProto === undefined ? value : `${forwardedProto}, ${value}`;
      else if (name === 'x-forwarded-host') forwardedHost = forwardedHost === undefined ? value : `${forwardedHost}, ${value}`;
      else if (name === 'upgrade' && options.keepUpgrade) headers.upgrade = value;
      continue;
    }
    if (options.dropTraceHeaders && TRACE_HEADER_NAMES.has(name)) continue;
    add(headers, name, value);
  }
  const listed = connectionTokens(connection);
  if (listed !== undefined) for (const name of listed) if (name !== 'upgrade' || !options.keepUpgrade) delete headers[name];
  if (options.keepUpgrade && headers.upgrade !== undefined) headers.connection = 'upgrade';
  headers.host = options.upstreamHost;
  if (options.clientAddress !== undefined) headers['x-forwarded-for'] = appendValue(forwardedFor, options.clientAddress);
  headers['x-forwarded-proto'] = appendValue(forwardedProto, options.clientScheme);
  if (clientHost !== undefined) headers['x-forwarded-host'] = appendValue(forwardedHost, clientHost);
  return headers;
}

function appendValue(existing: string | undefined, value: string): string {
  return existing === undefined || existing.trim() === '' ? value : `${existing}, ${value}`;
}

const RESPONSE_HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The upstream response's headers for the client, hop-by-hop fields left out. A new object: deleting
 * from the upstream's (keep-alive servers always send Connection and Keep-Alive) would turn it
 * into a slow dictionary-mode object on every response.
 */
export function forwardResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const connection = headers.connection;
  const listed = connection === undefined ? undefined : connectionTokens(Array.isArray(connection) ? connection.join(',') : connection);
  // No prototype, as for requests: an upstream's "__proto__" header is then just a header.
  const forwarded = Object.create(null) as Record<string, string | string[] | undefined>;
  for (const name in headers) {
    if (RESPONSE_HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    forwarded[name] = headers[name];
  }
  return forwarded;
}
