// The end of a long-lived connection (CONNECT tunnel, WebSocket), reported like a request: one
// observation for the metrics and one access-log line.
import { performance } from 'node:perf_hooks';
import type { TrafficDirection } from '../runtime-contracts';
import type { ProxyContext } from './proxy-context';
import type { ExchangeTrace } from './proxy-tracer';
import { errorCode } from './upstream-errors';

export interface ConnectionReport {
  route: string | undefined;
  direction: TrafficDirection;
  method: string;
  path: string;
  status: number;
  startedAt: number;
  client: string | undefined;
  upstream?: string;
  trace?: ExchangeTrace;
  error?: unknown;
}

export function reportConnection(context: ProxyContext, report: ConnectionReport): void {
  const durationSeconds = (performance.now() - report.startedAt) / 1000;
  context.observer?.requestFinished({ route: report.route ?? 'unmatched', direction: report.direction, method: report.method, status: report.status, durationSeconds });
  context.accessLog?.write({
    time: new Date().toISOString(),
    route: report.route ?? null,
    direction: report.direction,
    method: report.method,
    path: report.path,
    status: report.status,
    durationMs: Math.round(durationSeconds * 1e6) / 1e3,
    ...(report.client === undefined ? {} : { client: report.client }),
    ...(report.upstream === undefined ? {} : { upstream: report.upstream }),
    ...(report.trace === undefined ? {} : { traceId: report.trace.traceId, spanId: report.trace.spanId }),
    ...(report.error === undefined ? {} : { error: errorCode(report.error) ?? 'error' }),
  });
}
