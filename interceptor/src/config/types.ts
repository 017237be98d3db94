// The resolved interceptor configuration: what loadInterceptorConfig() returns after the file is
// validated against schemas/interceptor-config.schema.json, the OTEL_* environment applied to the
// telemetry sections, and every default filled. Nothing downstream guesses a default of its own.
import type { PropagatorName, RedactionConfig, SamplerName, ThreadlineConfig } from '@threadline/connectors';

export type RouteDirection = 'ingress' | 'egress';

export interface ListenConfig {
  host: string;
  port: number;
  headersTimeoutMillis: number;
  /** 0: no limit. */
  requestTimeoutMillis: number;
  keepAliveTimeoutMillis: number;
  maxHeaderBytes: number;
}

export interface UpstreamTimeouts {
  connectMillis: number;
  responseHeadersMillis: number;
  /** 0: no limit. */
  idleMillis: number;
}

export interface UpstreamTls {
  /** The CA file's path, resolved against the config file's folder. */
  caFile?: string;
  serverName?: string;
}

export interface CaptureHeaders {
  request: string[];
  response: string[];
}

export interface CaptureBody {
  request: boolean;
  response: boolean;
  maxBytes: number;
}

export interface RouteSampling {
  sampler?: SamplerName;
  ratio?: number;
}

export interface RouteConfig {
  name: string;
  /** Path prefix without a trailing '/', except the root route '/'. */
  path: string;
  upstream: string;
  direction: RouteDirection;
  stripPrefix: boolean;
  tracing: boolean;
  sampling?: RouteSampling;
  /** Outbound formats for this route; undefined: the top-level propagation.outbound. */
  outbound?: PropagatorName[];
  traceResponse: boolean;
  timeouts: UpstreamTimeouts;
  tls: UpstreamTls;
  captureHeaders: CaptureHeaders;
  captureBody: CaptureBody;
  maxConnections: number;
  /** The top-level redaction section with this route's overrides (rulesFile resolved against the config file's folder). */
  redaction: RedactionConfig;
}

export interface ForwardProxyConfig {
  enabled: boolean;
  allowedHosts: string[];
  tracing: boolean;
  outbound?: PropagatorName[];
  timeouts: UpstreamTimeouts;
  redaction: RedactionConfig;
}

export interface TracingOptions {
  traceResponse: boolean;
  correlationIdHeader?: string;
  trustedCallers: string[];
}

export interface AccessLogConfig {
  enabled: boolean;
  /** 'stdout', 'stderr' or an absolute file path. */
  destination: string;
}

export interface AdminConfig {
  enabled: boolean;
  host: string;
  port: number;
  /** Present whenever enabled is true. */
  token?: string;
}

export interface InterceptorConfig {
  /** The file this was read from (absolute), re-read on reload. */
  source: string;
  listen: ListenConfig;
  routes: RouteConfig[];
  forwardProxy: ForwardProxyConfig;
  /** The top-level upstream timeouts (routes carry their merged copies). */
  timeouts: UpstreamTimeouts;
  tracing: TracingOptions;
  accessLog: AccessLogConfig;
  shutdown: { drainTimeoutMillis: number };
  admin: AdminConfig;
  /** service, exporter, sampling, propagation and redaction, resolved as the connectors resolve them (redaction.rulesFile against the config file's folder). */
  telemetry: ThreadlineConfig;
}
