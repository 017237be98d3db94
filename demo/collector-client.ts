// What the demo asks the collector, over its HTTP API (the same answers the viewer reads).
import type { AuditReport, TraceDetailResponse } from '@threadline/collector';

const POLL_MS = 250;

async function getJson<T>(url: string): Promise<T | undefined> {
  const response = await fetch(url);
  if (response.status === 404) {
    await response.arrayBuffer();
    return undefined;
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`the collector answered ${response.status} to GET ${url}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/**
 * Waits until the trace has arrived and settled (no span for the collector's settle time) with at
 * least `minSpans` spans; resolves undefined when it has not by `timeoutMs`.
 */
export async function waitForSettledTrace(collectorUrl: string, traceId: string, minSpans: number, timeoutMs: number): Promise<TraceDetailResponse | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await getJson<TraceDetailResponse>(`${collectorUrl}/api/traces/${traceId}`);
    if (detail !== undefined && detail.summary.settled && detail.spans.length >= minSpans) return detail;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function traceDetail(collectorUrl: string, traceId: string): Promise<TraceDetailResponse | undefined> {
  return getJson<TraceDetailResponse>(`${collectorUrl}/api/traces/${traceId}`);
}

/** The completeness audit over the last `windowMs`. */
export async function auditReport(collectorUrl: string, windowMs: number): Promise<AuditReport> {
  const report = await getJson<AuditReport>(`${collectorUrl}/api/audit?windowMs=${windowMs}`);
  if (report === undefined) throw new Error(`the collector at ${collectorUrl} has no /api/audit: is it Threadline's collector?`);
  return report;
}

/** The viewer's page for one trace (waterfall, or the flow view). */
export function viewerTraceUrl(collectorUrl: string, traceId: string, tab: 'waterfall' | 'flow' = 'waterfall'): string {
  return `${collectorUrl}/#/trace/${traceId}${tab === 'flow' ? '/flow' : ''}`;
}
