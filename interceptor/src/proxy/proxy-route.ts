// A route as the passes use it: compiled once per config generation from RouteConfig (or the
// forward-proxy section), immutable while requests that started under it are in flight.
import type { Context, SpanKind, TextMapPropagator } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { Pool } from 'undici';
import type { CaptureBody, CaptureHeaders, UpstreamTimeouts } from '../config/types';
import type { TrafficDirection } from '../runtime-contracts';
import type { RouteRules } from './route-rules';

/** Tracing of one route; absent when the route forwards untouched. */
export interface RouteTracing {
  kind: SpanKind.SERVER | SpanKind.CLIENT;
  /** Reads the configured inbound formats; writes this route's outbound formats. */
  propagator: TextMapPropagator;
  sampler: Sampler;
  /** Where extraction of a caller's context starts: an empty context that already names `sampler` (made once, not per request). */
  extractionContext: Context;
  /** The sampler's rules match on span attributes, so every attribute must be known when the span starts. */
  samplerReadsAttributes: boolean;
  rules: RouteRules;
  traceResponse: boolean;
  captureHeaders: CaptureHeaders;
  captureBody: CaptureBody;
  /** Request header fields the span's attributes read (lower-case): host, user-agent and the captured ones. */
  spanHeaderNames: readonly string[];
}

/** The request header fields a route's span reads: the conventions' host and user-agent, then the captured ones. */
export function spanHeaderNames(captured: readonly string[]): string[] {
  return [...new Set(['host', 'user-agent', ...captured.map((name) => name.toLowerCase())])];
}

/** Where a route forwards to. */
export interface Upstream {
  /** scheme://host:port, the pool's origin. */
  origin: string;
  scheme: 'http' | 'https';
  /** The Host header: host[:port] as the URL writes it. */
  hostHeader: string;
  /** Host name (IPv6 without brackets), for baggage rules and server.address. */
  hostname: string;
  port: number;
  /** The upstream URL's path without a trailing '/', '' for none. */
  basePath: string;
  pool: Pool;
}

export interface ProxyRoute {
  /** The route's name; 'forward' for the forward proxy. */
  name: string;
  direction: TrafficDirection;
  /** Path prefix ('/' for the root route); '' for the forward proxy. */
  prefix: string;
  /** The low-cardinality http.route, e.g. /orders/* . */
  httpRoute: string;
  stripPrefix: boolean;
  timeouts: UpstreamTimeouts;
  tracing?: RouteTracing;
  /** Fixed for a route; undefined for the forward proxy, whose upstream comes with each request. */
  upstream?: Upstream;
}

/** Longest-prefix match on whole path segments. */
export class RouteTable {
  private readonly byLength: readonly ProxyRoute[];

  constructor(readonly routes: readonly ProxyRoute[]) {
    this.byLength = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
  }

  match(path: string): ProxyRoute | undefined {
    for (const route of this.byLength) {
      const prefix = route.prefix;
      if (prefix === '/' || path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f)) return route;
    }
    return undefined;
  }
}

/** The upstream request path: prefix stripped when the route says so, behind the upstream's base path. */
export function upstreamPath(route: ProxyRoute, upstream: Upstream, path: string, query: string): string {
  let rest = route.stripPrefix && route.prefix !== '/' ? path.slice(route.prefix.length) : path;
  if (rest !== '' && !rest.startsWith('/')) rest = `/${rest}`;
  const joined = upstream.basePath + rest;
  return (joined === '' ? '/' : joined) + query;
}

/** The http.route of a prefix: everything under it. */
export function prefixRoute(prefix: string): string {
  return prefix === '/' ? '/*' : `${prefix}/*`;
}

/** An Upstream for a URL (its path becomes the base path). */
export function upstreamOf(url: URL, pool: Pool): Upstream {
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    origin: `${scheme}://${url.hostname}:${port}`,
    scheme,
    hostHeader: url.host,
    hostname,
    port,
    basePath: url.pathname.replace(/\/+$/, ''),
    pool,
  };
}
