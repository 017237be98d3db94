// An InterceptorControl stand-in for admin tests: a config held in memory, a reload that validates
// a "file" the test writes, and counters the test sets.
import type { PipelineStats } from '@threadline/connectors';
import type { InterceptorControl, ReloadResult } from '../../src/runtime-contracts';

export class FakeControl implements InterceptorControl {
  ready = true;
  stats: PipelineStats = { queued: 0, exported: 0, dropped: 0, failed: 0, exportErrors: 0, redactionFailures: 0 };
  /** What the next reload finds on disk; `errors` makes it invalid. */
  nextFile: { config: unknown; errors?: string[] } | undefined;
  reloadCalls = 0;
  /** Resolve to let a pending reload finish (for the in-progress case); unset means immediate. */
  gate: Promise<void> | undefined;
  failWith: Error | undefined;

  constructor(public config: unknown) {}

  async reload(): Promise<ReloadResult> {
    this.reloadCalls += 1;
    if (this.gate) await this.gate;
    if (this.failWith) throw this.failWith;
    const next = this.nextFile;
    if (!next) return { ok: true, errors: [] };
    if (next.errors && next.errors.length > 0) return { ok: false, errors: next.errors };
    this.config = next.config;
    return { ok: true, errors: [] };
  }

  redactedConfig(): unknown {
    return this.config;
  }

  pipelineStats(): PipelineStats {
    return this.stats;
  }
}
