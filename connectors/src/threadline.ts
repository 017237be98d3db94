// One call from a configuration to everything a service needs: the resolved config, the span
// pipeline and the propagator it describes. Platform packages (interceptor, Node-RED, n8n) and
// users start here; the parts stay usable on their own.
import type { TextMapPropagator, Tracer } from '@opentelemetry/api';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { LoadConfigOptions } from './config/load-config';
import { loadConfig } from './config/load-config';
import type { ThreadlineConfig } from './config/types';
import type { Pipeline, PipelineOptions } from './pipeline/pipeline';
import { createPipeline } from './pipeline/pipeline';
import type { PipelineStats } from './pipeline/stats';
import { createPropagator } from './propagation/threadline-propagator';
import type { TracingSeams } from './wrappers/types';

export interface ThreadlineOptions extends Omit<PipelineOptions, 'registerGlobal'>, LoadConfigOptions {
  /** An already resolved configuration; when given, file, env and overrides are not read. */
  config?: ThreadlineConfig;
  /**
   * Register the tracer provider, the propagator and an AsyncLocalStorage context manager as the
   * OpenTelemetry globals, so `context.active()` follows async calls. Default false: nothing
   * global is touched, and the parts are passed explicitly.
   */
  registerGlobal?: boolean;
}

export interface Threadline extends TracingSeams {
  readonly config: ThreadlineConfig;
  readonly pipeline: Pipeline;
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  stats(): PipelineStats;
  forceFlush(): Promise<void>;
  /** Flushes and stops the pipeline and undoes any global registration. Never rejects. */
  shutdown(): Promise<void>;
}

/**
 * Builds Threadline from a configuration file, the OTEL_* environment and embedded defaults (or
 * from `options.config`). Throws ConfigError naming every wrong field.
 */
export function createThreadline(options: ThreadlineOptions = {}): Threadline {
  const { config: given, registerGlobal = false, file, env, overrides, onWarning, ...pipelineOptions } = options;
  const config = given ?? loadConfig({ file, env, overrides, onWarning });
  const propagator = createPropagator(config.propagation);
  const pipeline = createPipeline(config, { ...pipelineOptions, registerGlobal });
  let contextManager: AsyncLocalStorageContextManager | undefined;
  if (registerGlobal) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    if (!context.setGlobalContextManager(contextManager)) contextManager = undefined;
    propagation.setGlobalPropagator(propagator);
  }
  let stopped: Promise<void> | undefined;
  return {
    config,
    pipeline,
    tracer: pipeline.tracer,
    propagator,
    stats: () => pipeline.stats(),
    forceFlush: () => pipeline.forceFlush(),
    shutdown: () =>
      (stopped ??= pipeline.shutdown().finally(() => {
        if (!registerGlobal) return;
        propagation.disable();
        if (contextManager) context.disable();
      })),
  };
}
