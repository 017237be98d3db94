// The span pipeline's counters as Prometheus metrics. The pipeline already counts exactly
// (connectors' PipelineStats), so nothing is counted twice here: each scrape copies one snapshot.
import type { PipelineStats } from '@threadline/connectors';
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';

/** Anything that can report pipeline counters; InterceptorControl is one. */
export interface PipelineStatsSource {
  pipelineStats(): PipelineStats;
}

type CounterField = 'exported' | 'dropped' | 'failed' | 'exportErrors' | 'redactionFailures';

const COUNTERS: ReadonlyArray<{ field: CounterField; name: string; help: string }> = [
  { field: 'exported', name: 'threadline_spans_exported_total', help: 'Spans the OTLP exporter delivered.' },
  { field: 'dropped', name: 'threadline_spans_dropped_total', help: 'Spans refused before export: queue full, shut down, or removed by a failing redactor.' },
  { field: 'failed', name: 'threadline_spans_failed_total', help: 'Accepted spans given up on: retries exhausted, a permanent export error, or the shutdown deadline.' },
  { field: 'exportErrors', name: 'threadline_exporter_errors_total', help: 'Failed export attempts (each retry counts).' },
  { field: 'redactionFailures', name: 'threadline_span_redaction_failures_total', help: 'Spans the redactor failed on (exported stripped or dropped).' },
];

export class PipelineMetrics {
  private readonly counters: ReadonlyArray<{ field: CounterField; counter: Counter }>;
  private readonly queued: Gauge;

  constructor(registry: Registry) {
    this.counters = COUNTERS.map(({ field, name, help }) => ({ field, counter: new Counter({ name, help, registers: [registry] }) }));
    this.queued = new Gauge({ name: 'threadline_spans_queued', help: 'Spans held in memory, waiting for export or being exported.', registers: [registry] });
  }

  /** Copies a snapshot into the metrics (the pipeline's counters only grow, so each stays a counter). */
  update(stats: PipelineStats): void {
    for (const { field, counter } of this.counters) {
      counter.reset();
      counter.inc(stats[field]);
    }
    this.queued.set(stats.queued);
  }
}
