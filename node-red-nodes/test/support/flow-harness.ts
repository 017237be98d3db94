// Unit-test support: node-red-node-test-helper with a Threadline whose spans go to an in-memory
// exporter (registered under the config node id the flows use), so a test reads the exported
// spans without a collector. Real-runtime tests use test/support/node-red-runtime.ts instead.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Threadline } from '@threadline/connectors';
import { createThreadline, parseRulesText } from '@threadline/connectors';
import { registerThreadline, unregisterThreadline } from '../../src/threadline-registry';
import type { NodeRedApi, RuntimeNode } from '../../src/nodes/node-red';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper') as TestHelper;
helper.init(require.resolve('node-red'));

export interface HelperNode {
  id: string;
  type: string;
  on(event: string, handler: (arg: never) => void): void;
  receive(msg: Record<string, unknown>): void;
}

export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  load(nodes: unknown[], flow: Record<string, unknown>[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): HelperNode;
  startServer(done: () => void): void;
  stopServer(done: () => void): void;
}

export const CONFIG_ID = 'tl';

export interface TestThreadline {
  threadline: Threadline;
  exporter: InMemorySpanExporter;
  /** Flushes and returns every span exported so far. */
  spans(): Promise<ReadableSpan[]>;
  close(): Promise<void>;
}

/** A Threadline registered as config node `tl`; `rules` is a rules document in YAML or JSON. */
export function registerTestThreadline(options: { rules?: string; spanDeadlineMs?: number; sweepIntervalMillis?: number } = {}): TestThreadline {
  const exporter = new InMemorySpanExporter();
  const threadline = createThreadline({
    env: {},
    overrides: { service: { name: 'unit' }, exporter: { queue: { scheduledDelayMillis: 10 } } },
    exporter,
    ...(options.rules === undefined ? {} : { rules: parseRulesText(options.rules, 'test-rules.yaml').rules }),
    ...(options.sweepIntervalMillis === undefined ? {} : { sweepIntervalMillis: options.sweepIntervalMillis }),
  });
  registerThreadline({ id: CONFIG_ID, label: 'unit', threadline, autoTracing: false, spanDeadlineMs: options.spanDeadlineMs ?? 60_000 });
  return {
    threadline,
    exporter,
    spans: async () => {
      await threadline.forceFlush();
      return exporter.getFinishedSpans();
    },
    close: async () => {
      unregisterThreadline(CONFIG_ID);
      await threadline.shutdown();
    },
  };
}

/** Resolves with the next message the helper node `id` receives. */
export function nextMessage(id: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => helper.getNode(id).on('input', resolve as (msg: never) => void));
}

/** Resolves with the next error a node reports (done(err) goes through node.error). */
export function nextError(id: string): Promise<string> {
  return new Promise((resolve) =>
    helper.getNode(id).on('call:error', ((call: { args: unknown[] }) => {
      const first = call.args[0];
      resolve(first instanceof Error ? first.message : String(first));
    }) as (arg: never) => void),
  );
}

/** Resolves with the next status a node shows. */
export function nextStatus(id: string): Promise<{ fill?: string; text?: string }> {
  return new Promise((resolve) => helper.getNode(id).on('call:status', ((call: { args: unknown[] }) => resolve(call.args[0] as { text?: string })) as (arg: never) => void));
}

/** Stand-ins for outbound core nodes, so `inject` can find them by type: they pass messages on. */
export function stubNodeTypes(...types: string[]): (RED: NodeRedApi) => void {
  return (RED) => {
    for (const type of types) {
      RED.nodes.registerType(type, function (this: RuntimeNode, definition) {
        RED.nodes.createNode(this, definition);
        this.on('input', (msg, send, done) => {
          send(msg);
          done();
        });
      });
    }
  };
}

export const hex = (span: ReadableSpan): { traceId: string; spanId: string; parentSpanId: string | undefined } => ({
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
});
