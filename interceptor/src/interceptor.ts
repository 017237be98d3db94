// The interceptor runtime: from a configuration file to a listening tracing proxy, and back to a
// clean stop. One span pipeline for the process; routes, rules, samplers and the forward proxy
// live in a config generation that reload() swaps atomically (in-flight requests finish on the
// generation they started with, and a bad file changes nothing). close() stops accepting, drains
// in-flight requests up to a deadline, closes upstream connections and flushes spans.
import type { AddressInfo } from 'node:net';
import { ConfigError, createPipeline, formatIssue, PIPELINE_SCOPE_NAME, redactUrl, REDACTED } from '@threadline/connectors';
import type { ConfigWarning, Environment, Pipeline, PipelineOptions, PipelineStats } from '@threadline/connectors';
import { loadInterceptorConfig } from './config/load-interceptor-config';
import type { InterceptorConfig } from './config/types';
import { openAccessLog, type AccessLog, type LineSink } from './proxy/access-log';
import { buildGeneration, type ProxyGeneration } from './proxy/generation';
import { RouteRedactor, RouteSampler } from './proxy/per-route-seams';
import type { ProxyContext } from './proxy/proxy-context';
import { ProxyServer } from './proxy/proxy-server';
import { ProxyTracer } from './proxy/proxy-tracer';
import { UpstreamPools } from './proxy/upstream-pools';
import type { InterceptorControl, ProxyObserver, ReloadResult } from './runtime-contracts';

export interface InterceptorOptions {
  /** The configuration file (YAML or JSON); reload() reads it again. */
  file: string;
  /** Environment for ${VAR} references and OTEL_* variables. Default: process.env. */
  env?: Environment;
  /** Receives request observations and reload outcomes (the metrics). */
  observer?: ProxyObserver;
  /** One line per warning or internal error. Default: written to stderr. */
  log?: (line: string) => void;
  /** Where accessLog.destination stdout and stderr go. Default: the process's streams. */
  stdout?: LineSink;
  stderr?: LineSink;
  /** Pipeline seams for tests and embedding (e.g. an in-memory exporter). */
  pipeline?: Pick<PipelineOptions, 'exporter' | 'shutdownTimeoutMillis' | 'idGenerator'>;
}

/** Fields a reload cannot change in a running process; a changed one is reported and applies at the next start. */
const RESTART_FIELDS = ['listen', 'admin', 'accessLog'] as const;
const RESTART_TELEMETRY_FIELDS = ['exporter', 'service'] as const;

export class Interceptor implements InterceptorControl {
  private generation: ProxyGeneration;
  private readonly server: ProxyServer;
  private readonly pools = new UpstreamPools();
  private readonly pipeline: Pipeline;
  private readonly sampler: RouteSampler;
  private readonly redactor: RouteRedactor;
  private readonly accessLog: AccessLog | undefined;
  private readonly log: (line: string) => void;
  private readonly env: Environment;
  private listening: AddressInfo | undefined;
  private draining = false;
  private reloading: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  /** Loads and validates the configuration (throws ConfigError naming every bad field) and builds the proxy; listen() starts it. */
  constructor(private readonly options: InterceptorOptions) {
    this.env = options.env ?? process.env;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    const config = this.loadConfig();
    this.generation = buildGeneration(config, this.pools, this.env);
    this.sampler = new RouteSampler(this.generation.defaultSampler);
    this.redactor = new RouteRedactor(this.generation.defaultRules.redactor);
    this.pipeline = createPipeline(config.telemetry, { ...options.pipeline, sampler: this.sampler, redactor: this.redactor });
    this.accessLog = openAccessLog(config.accessLog, options.stdout, options.stderr);
    const context: ProxyContext = {
      generation: () => this.generation,
      // one span per exchange, started and ended with an explicit parent: the lean tracer's case
      tracer: new ProxyTracer(this.pipeline.getLeanTracer(PIPELINE_SCOPE_NAME), this.redactor),
      pools: this.pools,
      ...(options.observer ? { observer: options.observer } : {}),
      ...(this.accessLog ? { accessLog: this.accessLog } : {}),
      draining: () => this.draining,
      track: (connection) => this.server.track(connection),
      internalError: (where, error) => this.log(`threadline proxy: internal error in ${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    };
    this.server = new ProxyServer(config.listen, context);
  }

  /** The running configuration. */
  get config(): InterceptorConfig {
    return this.generation.config;
  }

  get ready(): boolean {
    return this.listening !== undefined && !this.draining;
  }

  /** Where the proxy listens (after listen()). */
  get address(): AddressInfo {
    if (this.listening === undefined) throw new Error('the interceptor is not listening');
    return this.listening;
  }

  async listen(): Promise<AddressInfo> {
    this.listening = await this.server.listen();
    return this.listening;
  }

  reload(): Promise<ReloadResult> {
    const result = this.reloading.then(() => this.reloadNow());
    this.reloading = result;
    return result;
  }

  redactedConfig(): unknown {
    return redactSecrets(this.generation.config);
  }

  pipelineStats(): PipelineStats {
    return this.pipeline.stats();
  }

  /** Resolves once every span ended so far is exported (or given up on). */
  flushSpans(): Promise<void> {
    return this.pipeline.forceFlush();
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to shutdown.drainTimeoutMillis (or
   * `deadlineMillis`), closes upstream connections, writes the access log and flushes spans.
   * Idempotent; never rejects.
   */
  close(deadlineMillis?: number): Promise<void> {
    this.closing ??= this.closeNow(deadlineMillis ?? this.generation.config.shutdown.drainTimeoutMillis);
    return this.closing;
  }

  private async closeNow(deadlineMillis: number): Promise<void> {
    this.draining = true;
    try {
      const finished = this.listening === undefined ? true : await this.server.drain(deadlineMillis);
      if (!finished) this.log(`threadline proxy: requests still running after ${deadlineMillis} ms were closed`);
      await (finished ? this.pools.close() : this.pools.destroy());
      await this.accessLog?.close();
    } catch (error) {
      this.log(`threadline proxy: error while stopping: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await this.pipeline.shutdown();
    }
  }

  private loadConfig(): InterceptorConfig {
    return loadInterceptorConfig({ file: this.options.file, env: this.env, onWarning: (warning: ConfigWarning) => this.log(`threadline proxy: warning: ${warning.variable ?? warning.source}: ${warning.message}`) });
  }

  private applyGeneration(generation: ProxyGeneration): void {
    this.sampler.fallback = generation.defaultSampler;
    this.redactor.fallback = generation.defaultRules.redactor;
    this.generation = generation;
  }

  private reloadNow(): ReloadResult {
    let result: ReloadResult;
    try {
      const config = this.loadConfig();
      const generation = buildGeneration(config, this.pools, this.env);
      const previous = this.generation.config;
      this.applyGeneration(generation);
      const unchanged = changedRestartFields(previous, config);
      if (unchanged.length > 0) this.log(`threadline proxy: reloaded; ${unchanged.join(', ')} changed and take effect at the next start`);
      result = { ok: true, errors: [] };
    } catch (error) {
      result = { ok: false, errors: error instanceof ConfigError ? error.issues.map(formatIssue) : [error instanceof Error ? error.message : String(error)] };
      this.log(`threadline proxy: reload refused, the running configuration stays:\n${result.errors.map((line) => `  - ${line}`).join('\n')}`);
    }
    // Pools only the replaced (or the refused) generation used are closed once their requests finish.
    this.pools.retainOnly(this.generation.poolKeys);
    this.options.observer?.configReloaded(result);
    return result;
  }
}

/** Builds the interceptor from its configuration file and starts listening. Throws ConfigError. */
export async function startInterceptor(options: InterceptorOptions): Promise<Interceptor> {
  const interceptor = new Interceptor(options);
  try {
    await interceptor.listen();
  } catch (error) {
    await interceptor.close(0);
    throw error;
  }
  return interceptor;
}

function changedRestartFields(before: InterceptorConfig, after: InterceptorConfig): string[] {
  const changed: string[] = [];
  for (const field of RESTART_FIELDS) if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) changed.push(field);
  for (const field of RESTART_TELEMETRY_FIELDS) if (JSON.stringify(before.telemetry[field]) !== JSON.stringify(after.telemetry[field])) changed.push(field);
  return changed;
}

/** The configuration with every secret replaced: the admin token, exporter headers, user info and sensitive query values in URLs. */
export function redactSecrets(config: InterceptorConfig): unknown {
  const sensitive = new Set(config.telemetry.redaction.urlQuerySensitiveKeys.map((key) => key.toLowerCase()));
  const url = (value: string): string => redactUrl(value, sensitive);
  const copy = structuredClone(config) as InterceptorConfig;
  if (copy.admin.token !== undefined) copy.admin.token = REDACTED;
  const exporter = copy.telemetry.exporter;
  exporter.headers = Object.fromEntries(Object.keys(exporter.headers).map((name) => [name, REDACTED]));
  exporter.tracesEndpoint = url(exporter.tracesEndpoint);
  for (const route of copy.routes) route.upstream = url(route.upstream);
  return copy;
}
