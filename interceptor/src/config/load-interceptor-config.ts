// loadInterceptorConfig(): the interceptor's file through the one path every user-written file
// takes (readValidatedFile: YAML/JSON → ${VAR} → schema, with field paths and lines), then the
// checks a schema cannot express (unique route names, a token unless admin is off, CIDR blocks),
// then the telemetry sections resolved by the connectors' loadConfig with the OTEL_* variables,
// exactly as a connectors configuration file would be.
import { BlockList, isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { ConfigError, DEFAULT_BODY_MAX_BYTES, loadConfig, readValidatedFile } from '@threadline/connectors';
import type { ConfigIssue, ConfigWarning, Environment, ParsedText, RedactionConfig, ThreadlineConfig, ThreadlineConfigInput } from '@threadline/connectors';
import type { InterceptorConfigInput, RouteInput, TimeoutsInput } from './input';
import type { InterceptorConfig, RouteConfig, UpstreamTimeouts } from './types';

/** $id of schemas/interceptor-config.schema.json. */
export const INTERCEPTOR_CONFIG_SCHEMA_ID = 'https://threadline.dev/schemas/interceptor-config.schema.json';

const SUBJECT = 'interceptor configuration';

export const DEFAULT_TIMEOUTS: Readonly<UpstreamTimeouts> = Object.freeze({ connectMillis: 5000, responseHeadersMillis: 30000, idleMillis: 60000 });

export interface LoadInterceptorConfigOptions {
  /** The YAML or JSON file. */
  file: string;
  /** Environment for ${VAR} references and OTEL_* variables. Default: process.env. */
  env?: Environment;
  /** Receives each ignored or adjusted OTEL_* value. Default: process.emitWarning. */
  onWarning?: (warning: ConfigWarning) => void;
}

/** Reads, validates and resolves the configuration; throws ConfigError listing every problem with file, field and line. */
export function loadInterceptorConfig(options: LoadInterceptorConfigOptions): InterceptorConfig {
  const file = resolve(options.file);
  const env = options.env ?? process.env;
  const { data, parsed } = readValidatedFile<InterceptorConfigInput>(file, INTERCEPTOR_CONFIG_SCHEMA_ID, { env, subject: SUBJECT });
  const issues = semanticIssues(data, file, parsed);
  const telemetryInput: ThreadlineConfigInput = {
    service: data.service,
    exporter: data.exporter,
    sampling: data.sampling,
    propagation: data.propagation,
    redaction: data.redaction,
  };
  let telemetry: ThreadlineConfig | undefined;
  try {
    telemetry = loadConfig({ env, fileLayer: { source: file, input: telemetryInput, parsed }, ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  // Every problem at once, in the order a reader meets them in the file.
  if (issues.length > 0 || telemetry === undefined) throw new ConfigError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)), SUBJECT);

  const folder = dirname(file);
  telemetry.redaction = resolveRulesFile(telemetry.redaction, folder);
  const timeouts = mergeTimeouts(DEFAULT_TIMEOUTS, data.timeouts);
  const tracing = data.tracing ?? {};
  const forward = data.forwardProxy ?? {};
  const admin = data.admin;
  const accessLog = data.accessLog ?? {};
  const destination = accessLog.destination ?? 'stdout';
  return {
    source: file,
    listen: {
      host: data.listen.host ?? '127.0.0.1',
      port: data.listen.port,
      headersTimeoutMillis: data.listen.headersTimeoutMillis ?? 10000,
      requestTimeoutMillis: data.listen.requestTimeoutMillis ?? 300000,
      keepAliveTimeoutMillis: data.listen.keepAliveTimeoutMillis ?? 5000,
      maxHeaderBytes: data.listen.maxHeaderBytes ?? 16384,
    },
    routes: data.routes.map((route) => resolveRoute(route, timeouts, tracing.traceResponse ?? false, telemetry.redaction, folder)),
    forwardProxy: withoutUndefined({
      enabled: forward.enabled ?? false,
      allowedHosts: [...(forward.allowedHosts ?? [])],
      tracing: forward.tracing ?? true,
      outbound: forward.propagation?.outbound,
      timeouts: mergeTimeouts(timeouts, forward.timeouts),
      redaction: mergeRedaction(telemetry.redaction, forward.redaction, folder),
    }),
    timeouts,
    tracing: withoutUndefined({
      traceResponse: tracing.traceResponse ?? false,
      correlationIdHeader: tracing.correlationIdHeader?.toLowerCase(),
      trustedCallers: [...(tracing.trustedCallers ?? [])],
    }),
    accessLog: {
      enabled: accessLog.enabled ?? true,
      destination: destination === 'stdout' || destination === 'stderr' ? destination : resolve(folder, destination),
    },
    shutdown: { drainTimeoutMillis: data.shutdown?.drainTimeoutMillis ?? 10000 },
    admin: withoutUndefined({
      enabled: admin.enabled ?? true,
      host: admin.host ?? '127.0.0.1',
      port: admin.port ?? 0,
      token: admin.token,
    }),
    telemetry,
  };
}

function resolveRoute(route: RouteInput, timeouts: UpstreamTimeouts, traceResponse: boolean, redaction: RedactionConfig, folder: string): RouteConfig {
  return withoutUndefined({
    name: route.name,
    path: normalizePrefix(route.path),
    upstream: route.upstream,
    direction: route.direction ?? 'ingress',
    stripPrefix: route.stripPrefix ?? false,
    tracing: route.tracing ?? true,
    sampling: route.sampling ? { ...route.sampling } : undefined,
    outbound: route.propagation?.outbound ? [...route.propagation.outbound] : undefined,
    traceResponse: route.traceResponse ?? traceResponse,
    timeouts: mergeTimeouts(timeouts, route.timeouts),
    tls: withoutUndefined({ caFile: route.tls?.caFile === undefined ? undefined : resolve(folder, route.tls.caFile), serverName: route.tls?.serverName }),
    captureHeaders: { request: (route.captureHeaders?.request ?? []).map(lower), response: (route.captureHeaders?.response ?? []).map(lower) },
    captureBody: { request: route.captureBody?.request ?? false, response: route.captureBody?.response ?? false, maxBytes: route.captureBody?.maxBytes ?? DEFAULT_BODY_MAX_BYTES },
    maxConnections: route.maxConnections ?? 256,
    redaction: mergeRedaction(redaction, route.redaction, folder),
  });
}

/** '/orders/' and '/orders' name the same prefix; '/' stays. */
export function normalizePrefix(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function mergeTimeouts(base: UpstreamTimeouts, over: TimeoutsInput | undefined): UpstreamTimeouts {
  return {
    connectMillis: over?.connectMillis ?? base.connectMillis,
    responseHeadersMillis: over?.responseHeadersMillis ?? base.responseHeadersMillis,
    idleMillis: over?.idleMillis ?? base.idleMillis,
  };
}

/** A rules file named in the interceptor's configuration is relative to that file. */
function resolveRulesFile(redaction: RedactionConfig, folder: string): RedactionConfig {
  return redaction.rulesFile === undefined ? redaction : { ...redaction, rulesFile: resolve(folder, redaction.rulesFile) };
}

/**
 * A route's redaction section over the top-level one: its own rules file or inline rules replace
 * the top-level rules; its query keys add to the top-level ones.
 */
function mergeRedaction(base: RedactionConfig, over: InterceptorConfigInput['redaction'], folder: string): RedactionConfig {
  if (over === undefined) return base;
  const urlQuerySensitiveKeys = [...new Set([...base.urlQuerySensitiveKeys, ...(over.urlQuerySensitiveKeys ?? [])])];
  if (over.rulesFile !== undefined) return { urlQuerySensitiveKeys, rulesFile: resolve(folder, over.rulesFile) };
  if (over.rules !== undefined) return { urlQuerySensitiveKeys, rules: over.rules as RedactionConfig['rules'] };
  return { ...base, urlQuerySensitiveKeys };
}

function lower(name: string): string {
  return name.toLowerCase();
}

/** What the schema cannot say: uniqueness across routes, a token unless admin is off, valid CIDR blocks. */
function semanticIssues(data: InterceptorConfigInput, source: string, parsed: ParsedText): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const issue = (path: string, field: string, message: string): void => {
    issues.push({ source, path, field, message, ...parsed.locate(path) });
  };
  const names = new Map<string, number>();
  const prefixes = new Map<string, number>();
  data.routes.forEach((route, index) => {
    const earlierName = names.get(route.name);
    if (earlierName !== undefined) issue(`/routes/${index}/name`, `routes[${index}].name`, `'${route.name}' is already the name of routes[${earlierName}]; route names must be unique`);
    else names.set(route.name, index);
    const prefix = normalizePrefix(route.path);
    const earlierPrefix = prefixes.get(prefix);
    if (earlierPrefix !== undefined) issue(`/routes/${index}/path`, `routes[${index}].path`, `'${route.path}' is already the path of routes[${earlierPrefix}], so this route could never match`);
    else prefixes.set(prefix, index);
    if (/(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i.test(route.path)) issue(`/routes/${index}/path`, `routes[${index}].path`, "must not contain '.' or '..' segments");
  });
  const admin = data.admin;
  if (admin.enabled !== false) {
    if (admin.token === undefined) issue('/admin', 'admin', "missing required field 'token' (write it as ${VAR}, or set enabled: false to run without the admin surface)");
    if (admin.port === undefined) issue('/admin', 'admin', "missing required field 'port'");
  }
  const forward = data.forwardProxy;
  if (forward?.enabled === true && (forward.allowedHosts ?? []).length === 0) {
    issue('/forwardProxy', 'forwardProxy', "needs 'allowedHosts' when enabled: the forward proxy is never open");
  }
  (data.tracing?.trustedCallers ?? []).forEach((entry, index) => {
    if (!isAddressBlock(entry)) issue(`/tracing/trustedCallers/${index}`, `tracing.trustedCallers[${index}]`, 'must be an IP address or a CIDR block such as 10.0.0.0/8');
  });
  return issues;
}

/** An IP address, or address/prefix with a prefix length the address family allows. */
export function isAddressBlock(entry: string): boolean {
  const [address = '', prefix] = entry.split('/');
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) return false;
  try {
    new BlockList().addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false;
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
