// Test support for the wrapper tests: an in-memory tracer (nothing registered globally), the
// propagator the wrappers are tested with (Threadline's own), and a tiny AsyncLocalStorage
// context manager for the tests that check context.active() inside handlers.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, ContextManager, TextMapPropagator, Tracer } from '@opentelemetry/api';
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ThreadlinePropagator, W3C_PROPAGATION } from '../../src/propagation';

export interface TestTracing {
  tracer: Tracer;
  propagator: TextMapPropagator;
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  spanNamed(name: string): ReadableSpan;
  shutdown(): Promise<void>;
}

/** Tracing for one test; the propagator is Threadline's strict W3C one unless another is given. */
export function createTestTracing(propagator: TextMapPropagator = new ThreadlinePropagator(W3C_PROPAGATION)): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    tracer: provider.getTracer('threadline-wrapper-tests'),
    propagator,
    exporter,
    spans: () => exporter.getFinishedSpans(),
    spanNamed(name) {
      const found = exporter.getFinishedSpans().filter((span) => span.name === name);
      if (found.length !== 1) {
        const names = exporter.getFinishedSpans().map((span) => span.name);
        throw new Error(`expected one span named "${name}", found ${found.length} among [${names.join(', ')}]`);
      }
      return found[0]!;
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Minimal AsyncLocalStorage context manager, enabled only by the tests that need one. */
export class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]): unknown => this.with(ctx, target as (...a: unknown[]) => unknown, undefined, ...args);
    return run as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

/** Installs a TestContextManager for the duration of a test file; returns the uninstaller. */
export function useTestContextManager(): () => void {
  const manager = new TestContextManager();
  context.setGlobalContextManager(manager);
  return () => context.disable();
}

/** `00-<trace>-<span>-<flags>` parts of a traceparent value. */
export function parseTraceparent(value: string | undefined): { traceId: string; parentId: string; flags: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value ?? '');
  if (!match) throw new Error(`not a version-00 traceparent: ${String(value)}`);
  return { traceId: match[1]!, parentId: match[2]!, flags: match[3]! };
}

export const REMOTE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const REMOTE_PARENT_ID = '00f067aa0ba902b7';
export const REMOTE_TRACEPARENT = `00-${REMOTE_TRACE_ID}-${REMOTE_PARENT_ID}-01`;
