import type { PipelineStats } from '@threadline/connectors';
import { register as globalRegistry } from 'prom-client';
import { ProxyMetrics, REQUEST_DURATION_BUCKETS } from '../../src/metrics';
import type { RequestObservation } from '../../src/runtime-contracts';
import { parsePrometheusText, sampleValue, samplesMatching } from './prometheus-text';

const NO_SPANS: PipelineStats = { queued: 0, exported: 0, dropped: 0, failed: 0, exportErrors: 0, redactionFailures: 0 };

function source(stats: Partial<PipelineStats> = {}): { pipelineStats(): PipelineStats } {
  return { pipelineStats: () => ({ ...NO_SPANS, ...stats }) };
}

function request(overrides: Partial<RequestObservation> = {}): RequestObservation {
  return { route: 'orders', direction: 'ingress', method: 'GET', status: 200, durationSeconds: 0.003, ...overrides };
}

async function scrape(metrics: ProxyMetrics, stats: Partial<PipelineStats> = {}) {
  return parsePrometheusText(await metrics.render(source(stats)));
}

describe('ProxyMetrics', () => {
  it('renders parsable Prometheus text with every family typed and documented', async () => {
    const metrics = new ProxyMetrics();
    metrics.requestFinished(request());
    const families = await scrape(metrics);
    const expected: Record<string, string> = {
      threadline_proxy_requests_total: 'counter',
      threadline_proxy_request_duration_seconds: 'histogram',
      threadline_spans_exported_total: 'counter',
      threadline_spans_dropped_total: 'counter',
      threadline_spans_failed_total: 'counter',
      threadline_spans_queued: 'gauge',
      threadline_exporter_errors_total: 'counter',
      threadline_span_redaction_failures_total: 'counter',
      threadline_config_reloads_total: 'counter',
      threadline_config_last_reload_successful: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect(families.get(name)?.type).toBe(type);
      expect(families.get(name)?.help).not.toBe('');
    }
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts requests per route, direction, method and status code', async () => {
    const metrics = new ProxyMetrics({ processMetrics: false });
    for (let i = 0; i < 3; i++) metrics.requestFinished(request());
    metrics.requestFinished(request({ status: 404 }));
    metrics.requestFinished(request({ route: 'stripe', direction: 'egress', method: 'POST', status: 502 }));
    metrics.requestFinished(request({ route: 'forward', direction: 'forward', method: 'CONNECT', status: 200 }));
    const families = await scrape(metrics);
    const total = 'threadline_proxy_requests_total';
    expect(sampleValue(families, total, { route: 'orders', direction: 'ingress', method: 'GET', status_code: '200' })).toBe(3);
    expect(sampleValue(families, total, { route: 'orders', direction: 'ingress', method: 'GET', status_code: '404' })).toBe(1);
    expect(sampleValue(families, total, { route: 'stripe', direction: 'egress', method: 'POST', status_code: '502' })).toBe(1);
    expect(sampleValue(families, total, { route: 'forward', direction: 'forward', method: 'CONNECT', status_code: '200' })).toBe(1);
    expect(samplesMatching(families, total)).toHaveLength(4);
  });

  it('puts durations in a histogram per status class, with the configured buckets', async () => {
    const metrics = new ProxyMetrics({ processMetrics: false });
    metrics.requestFinished(request({ durationSeconds: 0.003, status: 200 }));
    metrics.requestFinished(request({ durationSeconds: 0.02, status: 201 }));
    metrics.requestFinished(request({ durationSeconds: 12, status: 204 }));
    metrics.requestFinished(request({ durationSeconds: 0.0004, status: 503 }));
    const families = await scrape(metrics);
    const ok = { route: 'orders', direction: 'ingress', method: 'GET', status_class: '2xx' };
    const bucket = (le: string, labels = ok) => sampleValue(families, 'threadline_proxy_request_duration_seconds_bucket', { ...labels, le });
    expect(bucket('0.0025')).toBe(0);
    expect(bucket('0.005')).toBe(1);
    expect(bucket('0.025')).toBe(2);
    expect(bucket('10')).toBe(2);
    expect(bucket('+Inf')).toBe(3);
    expect(sampleValue(families, 'threadline_proxy_request_duration_seconds_count', ok)).toBe(3);
    expect(sampleValue(families, 'threadline_proxy_request_duration_seconds_sum', ok)).toBeCloseTo(12.023, 6);
    expect(bucket('0.001', { ...ok, status_class: '5xx' })).toBe(1);
    const bounds = samplesMatching(families, 'threadline_proxy_request_duration_seconds_bucket', ok).map((s) => s.labels.le);
    expect(bounds).toEqual([...REQUEST_DURATION_BUCKETS.map(String), '+Inf']);
  });

  it('keeps label values bounded: unknown methods are _OTHER, odd statuses are other, bad durations are 0', async () => {
    const metrics = new ProxyMetrics({ processMetrics: false });
    for (let i = 0; i < 50; i++) metrics.requestFinished(request({ method: `METHOD${i}` }));
    metrics.requestFinished(request({ method: 'get' })); // methods are case-sensitive: not GET
    metrics.requestFinished(request({ status: 0, durationSeconds: -1 }));
    metrics.requestFinished(request({ status: 99, durationSeconds: Number.NaN }));
    metrics.requestFinished(request({ status: 600, durationSeconds: Number.POSITIVE_INFINITY }));
    const families = await scrape(metrics);
    expect(sampleValue(families, 'threadline_proxy_requests_total', { method: '_OTHER' })).toBe(51);
    expect(sampleValue(families, 'threadline_proxy_requests_total', { method: 'GET', status_code: 'other' })).toBe(3);
    const odd = { method: 'GET', status_class: 'other' };
    expect(sampleValue(families, 'threadline_proxy_request_duration_seconds_count', odd)).toBe(3);
    expect(sampleValue(families, 'threadline_proxy_request_duration_seconds_sum', odd)).toBe(0);
    expect(samplesMatching(families, 'threadline_proxy_requests_total')).toHaveLength(2);
  });

  it('escapes route names so the text stays parsable', async () => {
    const metrics = new ProxyMetrics({ processMetrics: false });
    const route = 'odd "route"\\with\nnewline';
    metrics.requestFinished(request({ route }));
    const families = await scrape(metrics);
    expect(sampleValue(families, 'threadline_proxy_requests_total', { route })).toBe(1);
  });

  it('copies the pipeline counters at each scrape, replacing (not adding to) the previous ones', async () => {
    const metrics = new ProxyMetrics({ processMetrics: false });
    let families = await scrape(metrics, { exported: 10, dropped: 2, failed: 1, queued: 7, exportErrors: 3, redactionFailures: 4 });
    expect(sampleValue(families, 'threadline_spans_exported_total')).toBe(10);
    expect(sampleValue(families, 'threadline_spans_dropped_total')).toBe(2);
    expect(sampleValue(families, 'threadline_spans_failed_total')).toBe(1);
    expect(sampleValue(families, 'threadline_spans_queued')).toBe(7);
    expect(sampleValue(families, 'threadline_exporter_errors_total')).toBe(3);
    expect(sampleValue(families, 'threadline_span_redaction_failures_total')).toBe(4);
    families = await scrape(metrics, { exported: 25, dropped: 2, queued: 0 });
    expect(sampleValue(families, 'threadline_spans_exported_total')).toBe(25);
    expect(sampleValue(families, 'threadline_spans_dropped_total')).toBe(2);
    expect(sampleValue(families, 'threadline_spans_queued')).toBe(0);
  });

  it('reads the pipeline source once per scrape', async () => {
    const metrics = new ProxyMetrics({ processMetrics: false });
    const pipelineStats = jest.fn(() => NO_SPANS);
    await metrics.render({ pipelineStats });
    await metrics.render({ pipelineStats });
    expect(pipelineStats).toHaveBeenCalledTimes(2);
  });

  it('counts config reloads by result, both series present from the start', async () => {
    const metrics = new ProxyMetrics({ processMetrics: false });
    let families = await scrape(metrics);
    expect(sampleValue(families, 'threadline_config_reloads_total', { result: 'ok' })).toBe(0);
    expect(sampleValue(families, 'threadline_config_reloads_total', { result: 'failed' })).toBe(0);
    expect(sampleValue(families, 'threadline_config_last_reload_successful')).toBe(1);
    metrics.configReloaded({ ok: true, errors: [] });
    metrics.configReloaded({ ok: true, errors: [] });
    metrics.configReloaded({ ok: false, errors: ['routes/0/upstream: must match format "uri"'] });
    families = await scrape(metrics);
    expect(sampleValue(families, 'threadline_config_reloads_total', { result: 'ok' })).toBe(2);
    expect(sampleValue(families, 'threadline_config_reloads_total', { result: 'failed' })).toBe(1);
    expect(sampleValue(families, 'threadline_config_last_reload_successful')).toBe(0);
    metrics.configReloaded({ ok: true, errors: [] });
    expect(sampleValue(await scrape(metrics), 'threadline_config_last_reload_successful')).toBe(1);
  });

  it('uses a registry of its own: instances never share numbers and the global registry stays empty', async () => {
    const first = new ProxyMetrics({ processMetrics: false });
    const second = new ProxyMetrics({ processMetrics: false });
    first.requestFinished(request());
    first.requestFinished(request());
    second.requestFinished(request());
    expect(sampleValue(await scrape(first), 'threadline_proxy_requests_total')).toBe(2);
    expect(sampleValue(await scrape(second), 'threadline_proxy_requests_total')).toBe(1);
    expect(await globalRegistry.metrics()).not.toContain('threadline_');
  });

  it('adds the process metrics unless told not to', async () => {
    const withProcess = await scrape(new ProxyMetrics());
    expect(sampleValue(withProcess, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(withProcess.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    const without = await scrape(new ProxyMetrics({ processMetrics: false }));
    expect([...without.keys()].every((name) => name.startsWith('threadline_'))).toBe(true);
  });
});
