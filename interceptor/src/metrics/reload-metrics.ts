// Config reloads, whichever way they were asked for (SIGHUP or the admin endpoint).
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { ReloadResult } from '../runtime-contracts';

export class ReloadMetrics {
  private readonly reloads: Counter<'result'>;
  private readonly lastSuccessful: Gauge;

  constructor(registry: Registry) {
    this.reloads = new Counter({
      name: 'threadline_config_reloads_total',
      help: 'Config reloads, by result: ok, or failed (the running config stayed).',
      labelNames: ['result'],
      registers: [registry],
    });
    // Both series exist from the start so that rate() and alerts see a zero, not a gap.
    this.reloads.inc({ result: 'ok' }, 0);
    this.reloads.inc({ result: 'failed' }, 0);
    this.lastSuccessful = new Gauge({
      name: 'threadline_config_last_reload_successful',
      help: '1 if the latest config reload succeeded (or none was asked for yet), 0 if it was refused.',
      registers: [registry],
    });
    this.lastSuccessful.set(1);
  }

  record(outcome: ReloadResult): void {
    this.reloads.inc({ result: outcome.ok ? 'ok' : 'failed' });
    this.lastSuccessful.set(outcome.ok ? 1 : 0);
  }
}
