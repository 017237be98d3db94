// A config generation: everything the data plane derives from one configuration (routes with
// their upstream pools, propagators, samplers and rules; the forward proxy; the trust list).
// A reload builds a new generation beside the running one and swaps it in one assignment;
// requests in flight keep the generation they started with.
import { BlockList, isIP } from 'node:net';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import { ConfigError, createPropagator, createSamplerFromConfig } from '@threadline/connectors';
import type { ConfigIssue, Environment, PropagatorName, RedactionConfig, SamplingConfig } from '@threadline/connectors';
import type { InterceptorConfig, RouteConfig, RouteSampling } from '../config/types';
import type { TrafficDirection } from '../runtime-contracts';
import { AllowedHosts } from './allowed-hosts';
import type { ProxyRoute, RouteTracing } from './proxy-route';
import { RouteTable, prefixRoute, spanHeaderNames, upstreamOf } from './proxy-route';
import { withRouteSampler } from './per-route-seams';
import { RouteRulesCompiler, type RouteRules } from './route-rules';
import { poolKey, type UpstreamPoolOptions, type UpstreamPools } from './upstream-pools';

const NO_BODY_CAPTURE = Object.freeze({ request: false, response: false, maxBytes: 0 });

export interface ForwardProxy {
  route: ProxyRoute;
  allowed: AllowedHosts;
  /** Connection settings of the pools made for each allowed origin. */
  connectMillis: number;
}

export class ProxyGeneration {
  constructor(
    readonly config: InterceptorConfig,
    readonly routes: RouteTable,
    readonly forward: ForwardProxy | undefined,
    readonly trustedCallers: BlockList | undefined,
    /** The top-level sampler and rules: what a span without a route of its own uses. */
    readonly defaultSampler: Sampler,
    readonly defaultRules: RouteRules,
    /** Keys of the upstream pools this generation uses. */
    readonly poolKeys: ReadonlySet<string>,
  ) {}

  isTrusted(address: string | undefined): boolean {
    if (this.trustedCallers === undefined || address === undefined) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return this.trustedCallers.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * Builds a generation; throws ConfigError (naming the route field) when a part cannot be built,
 * e.g. an unreadable CA or rules file, so a reload refuses it before anything is swapped.
 */
export function buildGeneration(config: InterceptorConfig, pools: UpstreamPools, env: Environment): ProxyGeneration {
  const issues: ConfigIssue[] = [];
  const telemetry = config.telemetry;
  const attempt = <T>(path: string, field: string, build: () => T): T | undefined => {
    try {
      return build();
    } catch (error) {
      if (error instanceof ConfigError) issues.push(...error.issues);
      else issues.push({ source: config.source, path, field, message: describeFailure(error) });
      return undefined;
    }
  };
  const samplerFor = (override: RouteSampling | undefined): Sampler => createSamplerFromConfig(samplingWith(telemetry.sampling, override), telemetry.service.name);
  const readsAttributes = (override: RouteSampling | undefined): boolean => samplingWith(telemetry.sampling, override).rules.some((rule) => rule.match.attributes !== undefined);
  const tracingFor = (direction: TrafficDirection, outbound: PropagatorName[] | undefined, sampling: RouteSampling | undefined, rules: RouteRules, extra: Pick<RouteTracing, 'traceResponse' | 'captureHeaders' | 'captureBody'>): RouteTracing => {
    const sampler = samplerFor(sampling);
    return {
      kind: direction === 'ingress' ? SpanKind.SERVER : SpanKind.CLIENT,
      propagator: createPropagator({ inbound: telemetry.propagation.inbound, outbound: outbound ?? telemetry.propagation.outbound }),
      sampler,
      extractionContext: withRouteSampler(ROOT_CONTEXT, sampler),
      samplerReadsAttributes: readsAttributes(sampling),
      rules,
      ...extra,
      spanHeaderNames: spanHeaderNames(extra.captureHeaders.request),
    };
  };
  const compiler = new RouteRulesCompiler(env);
  const rulesFor = (path: string, field: string, redaction: RedactionConfig): RouteRules | undefined => attempt(path, field, () => compiler.compile(redaction));

  const defaultRules = rulesFor('/redaction', 'redaction', telemetry.redaction);
  const keys = new Set<string>();
  const routes: ProxyRoute[] = [];
  config.routes.forEach((route, index) => {
    const built = attempt(`/routes/${index}`, `routes[${index}]`, () => buildRoute(route, index));
    if (built !== undefined) routes.push(built);
  });

  function buildRoute(route: RouteConfig, index: number): ProxyRoute | undefined {
    const url = new URL(route.upstream);
    const poolOptions: UpstreamPoolOptions = {
      origin: `${url.protocol}//${url.host}`,
      connectMillis: route.timeouts.connectMillis,
      maxConnections: route.maxConnections,
      ...(route.tls.caFile === undefined ? {} : { caFile: route.tls.caFile }),
      ...(route.tls.serverName === undefined ? {} : { serverName: route.tls.serverName }),
    };
    const pool = attempt(`/routes/${index}/tls/caFile`, `routes[${index}].tls.caFile`, () => pools.get(poolOptions));
    const rules = rulesFor(`/routes/${index}/redaction`, `routes[${index}].redaction`, route.redaction);
    if (pool === undefined || rules === undefined) return undefined;
    keys.add(poolKey(poolOptions));
    return {
      name: route.name,
      direction: route.direction,
      prefix: route.path,
      httpRoute: prefixRoute(route.path),
      stripPrefix: route.stripPrefix,
      timeouts: route.timeouts,
      upstream: upstreamOf(url, pool),
      ...(route.tracing ? { tracing: tracingFor(route.direction, route.outbound, route.sampling, rules, { traceResponse: route.traceResponse, captureHeaders: route.captureHeaders, captureBody: route.captureBody }) } : {}),
    };
  }

  let forward: ForwardProxy | undefined;
  const forwardConfig = config.forwardProxy;
  if (forwardConfig.enabled) {
    const rules = rulesFor('/forwardProxy/redaction', 'forwardProxy.redaction', forwardConfig.redaction);
    if (rules !== undefined) {
      forward = {
        route: {
          name: 'forward',
          direction: 'forward',
          prefix: '',
          httpRoute: '',
          stripPrefix: false,
          timeouts: forwardConfig.timeouts,
          ...(forwardConfig.tracing
            ? { tracing: tracingFor('forward', forwardConfig.outbound, undefined, rules, { traceResponse: config.tracing.traceResponse, captureHeaders: { request: [], response: [] }, captureBody: NO_BODY_CAPTURE }) }
            : {}),
        },
        allowed: new AllowedHosts(forwardConfig.allowedHosts),
        connectMillis: forwardConfig.timeouts.connectMillis,
      };
    }
  }

  let trusted: BlockList | undefined;
  if (config.tracing.trustedCallers.length > 0) {
    trusted = new BlockList();
    for (const entry of config.tracing.trustedCallers) {
      const [address = '', bits] = entry.split('/');
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) trusted.addAddress(address, family);
      else trusted.addSubnet(address, Number(bits), family);
    }
  }

  if (issues.length > 0 || defaultRules === undefined) throw new ConfigError(issues, 'interceptor configuration');
  return new ProxyGeneration(config, new RouteTable(routes), forward, trusted, samplerFor(undefined), defaultRules, keys);
}

/** An unreadable file in plain words; anything else with its message. */
function describeFailure(error: unknown): string {
  const { code, path } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT' && path !== undefined) return `file not found: ${path}`;
  if (typeof code === 'string' && path !== undefined) return `cannot read ${path} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** A route's own sampler and ratio replace the top-level sampler, ratio and rules; the inbound limit stays. */
function samplingWith(sampling: SamplingConfig, override: RouteSampling | undefined): SamplingConfig {
  if (override === undefined) return sampling;
  return { ...sampling, sampler: override.sampler ?? sampling.sampler, ratio: override.ratio ?? sampling.ratio, rules: [] };
}
