// Decides whether automatic tracing runs and with which Threadline: the one settings.js
// describes (`threadline.autoTrace.enabled`, owned and flushed here), else the first running
// config node whose "automatic tracing" box is ticked (owned by that node, which flushes it in its
// close handler). Hooks are installed while one of them is there and removed by label otherwise.
import type { Threadline } from '@threadline/connectors';
import { createThreadline } from '@threadline/connectors';
import { flowAttributes } from '../node-attributes';
import { autoTracingEntry, onThreadlineChange } from '../threadline-registry';
import { installHooks, removeHooks } from './hooks';
import { NodeTracer } from './node-tracer';
import type { AutoTraceSettings } from './options';
import { autoTraceConfigOptions, readAutoTraceSettings } from './options';
import type { PluginRED } from './red-api';

/** How often a hook failure is logged at most (the first, then every this many). */
const FAILURE_LOG_EVERY = 1000;

interface Active {
  threadline: Threadline;
  tracer: NodeTracer;
}

export class AutoTraceController {
  private settings: AutoTraceSettings | undefined;
  private own: Threadline | undefined;
  private active: Active | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly flushOnStop = (): void => {
    this.own?.forceFlush().catch(() => {});
  };
  /** After a deploy: tab names may have changed (node-attributes.ts forgets its own cache on the same event). */
  private readonly onFlowsStarted = (): void => {
    this.active?.tracer.flowsChanged();
  };

  constructor(private readonly RED: PluginRED) {}

  /** Reads settings.js and starts tracing when asked to; never throws. */
  start(): void {
    if (this.unsubscribe !== undefined) return;
    try {
      this.settings = readAutoTraceSettings(this.RED.settings);
      if (this.settings.enabled) {
        this.own = createThreadline({ file: this.settings.configFile, overrides: this.settings.config, ...autoTraceConfigOptions() });
        this.RED.events?.on('flows:stopped', this.flushOnStop);
        this.RED.log.info(`Threadline automatic tracing on (settings.js), service ${this.own.config.service.name}`);
      }
    } catch (error) {
      this.RED.log.error(error instanceof Error ? error.message : String(error));
    }
    this.RED.events?.on('flows:started', this.onFlowsStarted);
    this.unsubscribe = onThreadlineChange(() => this.reconcile());
    this.reconcile();
  }

  /** Removes the hooks and shuts down the Threadline it owns. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.detach();
    this.RED.events?.removeListener('flows:stopped', this.flushOnStop);
    this.RED.events?.removeListener('flows:started', this.onFlowsStarted);
    const own = this.own;
    this.own = undefined;
    await own?.shutdown();
  }

  /** The tracer in use, if any (tests, metrics). */
  get tracer(): NodeTracer | undefined {
    return this.active?.tracer;
  }

  private reconcile(): void {
    try {
      const entry = this.own === undefined ? autoTracingEntry() : undefined;
      const wanted = this.own ?? entry?.threadline;
      if (wanted === this.active?.threadline) return;
      this.detach();
      if (wanted === undefined) return;
      const settings = this.settings;
      const deadlineMs = this.own === undefined && entry !== undefined ? entry.spanDeadlineMs : (settings?.deadlineMs ?? entry?.spanDeadlineMs ?? 30_000);
      const tracer = new NodeTracer(
        wanted.pipeline,
        wanted.propagator,
        { deadlineMs, ignoreTypes: new Set(settings?.ignoreTypes ?? []), flowAttributes: (node) => flowAttributes(this.RED, node) },
        (error, count) => this.reportFailure(error, count),
      );
      installHooks(this.RED.hooks, tracer);
      this.active = { threadline: wanted, tracer };
      if (entry !== undefined) this.RED.log.info(`Threadline automatic tracing on (config node ${entry.label})`);
    } catch (error) {
      this.RED.log.error(`Threadline automatic tracing could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private detach(): void {
    if (this.active === undefined) return;
    try {
      removeHooks(this.RED.hooks);
    } finally {
      this.active.tracer.stop();
      this.active = undefined;
    }
  }

  private reportFailure(error: unknown, count: number): void {
    if (count !== 1 && count % FAILURE_LOG_EVERY !== 0) return;
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.RED.log.warn(`Threadline automatic tracing: a hook handler failed (${count} so far; the message went on untraced): ${reason}`);
  }
}
