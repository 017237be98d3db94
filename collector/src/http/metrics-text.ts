// The collector's figures in the Prometheus text exposition format (version 0.0.4).
import type { AuditReport, StoreStats } from '../api/contract';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const PREFIX = 'threadline_collector_';

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

class MetricsText {
  private readonly lines: string[] = [];

  metric(name: string, type: 'counter' | 'gauge', help: string, samples: { labels?: Record<string, string>; value: number }[]): this {
    this.lines.push(`# HELP ${PREFIX}${name} ${help}`, `# TYPE ${PREFIX}${name} ${type}`);
    for (const sample of samples) {
      const labels = Object.entries(sample.labels ?? {});
      const labelText = labels.length === 0 ? '' : `{${labels.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`;
      this.lines.push(`${PREFIX}${name}${labelText} ${Number.isFinite(sample.value) ? sample.value : 0}`);
    }
    return this;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export function metricsText(stats: StoreStats, requestsByStatus: ReadonlyMap<number, number>, audit: AuditReport): string {
  const text = new MetricsText()
    .metric('spans_received_total', 'counter', 'Spans stored (first arrivals).', [{ value: stats.received }])
    .metric('spans_duplicate_total', 'counter', 'Spans that arrived again (same trace and span id) and were not stored twice.', [{ value: stats.duplicates }])
    .metric('spans_rejected_total', 'counter', 'Malformed spans dropped and reported as partial success.', [{ value: stats.rejected }])
    .metric('export_requests_total', 'counter', 'OTLP export requests by HTTP status.', [...requestsByStatus.entries()].map(([status, value]) => ({ labels: { status: String(status) }, value })))
    .metric('spans_evicted_total', 'counter', 'Spans removed by retention (count or age).', [{ value: stats.evictedSpans }])
    .metric('store_spans', 'gauge', 'Spans in the store.', [{ value: stats.spans }])
    .metric('store_traces', 'gauge', 'Traces in the store.', [{ value: stats.traces }])
    .metric('store_max_spans', 'gauge', 'Retention bound in spans.', [{ value: stats.maxSpans }])
    .metric('traces_audited', 'gauge', 'Settled traces in the audit window.', [{ value: audit.traceCount }])
    .metric('traces_complete', 'gauge', 'Settled traces in the audit window that arrived complete.', [{ value: audit.completeCount }])
    .metric('trace_completeness_ratio', 'gauge', 'Share of complete traces in the audit window (1 when there are none).', [{ value: audit.completeShare }])
    .metric('context_breaks', 'gauge', 'Places in the audit window where a step started a new trace while a caller had one.', [{ value: audit.contextBreaks.length }]);
  if (stats.forwarding !== undefined) {
    const forwarding = stats.forwarding;
    text.metric('forward_spans_total', 'counter', 'Spans forwarded upstream, by outcome.', [
      { labels: { outcome: 'forwarded' }, value: forwarding.forwardedSpans },
      { labels: { outcome: 'dropped' }, value: forwarding.droppedSpans },
      { labels: { outcome: 'failed' }, value: forwarding.failedSpans },
    ]);
  }
  if (stats.persistence !== undefined) {
    text.metric('persist_errors_total', 'counter', 'Failed writes to the persistence file.', [{ value: stats.persistence.errors }]);
  }
  return text.text();
}
