// Access log: one JSON line per request, with its trace and span ids.
import type { AccessLog, AccessLogEntry } from '../access-log';
import type { Exchange } from '../exchange';
import { errorCode } from '../upstream-errors';
import type { ProxyPass } from './pass';

export class AccessLogPass implements ProxyPass {
  readonly name = 'access-log';
  // Under load many lines share a millisecond: the timestamp text is made once per millisecond.
  private stampMillis = -1;
  private stamp = '';

  constructor(private readonly log: AccessLog) {}

  private now(): string {
    const millis = Date.now();
    if (millis !== this.stampMillis) {
      this.stampMillis = millis;
      this.stamp = new Date(millis).toISOString();
    }
    return this.stamp;
  }

  request(): boolean {
    return true;
  }

  finish(exchange: Exchange): void {
    const entry: AccessLogEntry = {
      time: this.now(),
      route: exchange.route?.name ?? null,
      direction: exchange.direction,
      method: exchange.request.method ?? '',
      path: exchange.path,
      status: exchange.status,
      durationMs: Math.round(exchange.durationSeconds() * 1e6) / 1e3,
    };
    if (exchange.clientAddress !== undefined) entry.client = exchange.clientAddress;
    const upstream = exchange.upstreamRequest?.upstream;
    if (upstream !== undefined) entry.upstream = upstream.origin;
    if (exchange.trace !== undefined) {
      entry.traceId = exchange.trace.traceId;
      entry.spanId = exchange.trace.spanId;
    }
    if (exchange.upstreamError !== undefined) entry.error = errorCode(exchange.upstreamError) ?? 'upstream_error';
    else if (exchange.clientGone) entry.error = 'client_aborted';
    this.log.write(entry);
  }
}
