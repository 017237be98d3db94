// The search parameters of GET /api/traces: parsed from a query string with errors that name the
// parameter, and applied to a trace.
import type { TraceSummary } from '../api/contract';
import type { ReceivedValue } from '../otlp/decode';
import type { TraceFacts } from './trace-facts';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface TraceFilter {
  service?: string;
  status?: 'ok' | 'error';
  minDurationMs?: number;
  maxDurationMs?: number;
  /** key=value pairs; every one must match some span. */
  attributes: { key: string; value: string }[];
  fromMs?: number;
  toMs?: number;
  name?: string;
  complete?: boolean;
  limit: number;
}

export class QueryError extends Error {}

function numberParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new QueryError(`${name}: "${raw}" is not a non-negative number`);
  return value;
}

/** Milliseconds since the epoch, or an ISO 8601 date. */
function timeParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const parsed = Date.parse(raw);
  if (Number.isNaN(parsed)) throw new QueryError(`${name}: "${raw}" is neither milliseconds since 1970 nor an ISO 8601 date`);
  return parsed;
}

function booleanParam(params: URLSearchParams, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new QueryError(`${name}: "${raw}" is not true or false`);
}

export function parseTraceFilter(params: URLSearchParams): TraceFilter {
  const filter: TraceFilter = { attributes: [], limit: DEFAULT_LIMIT };
  const service = params.get('service');
  if (service) filter.service = service;
  const status = params.get('status');
  if (status) {
    if (status !== 'ok' && status !== 'error') throw new QueryError(`status: "${status}" is not ok or error`);
    filter.status = status;
  }
  const min = numberParam(params, 'minDurationMs');
  if (min !== undefined) filter.minDurationMs = min;
  const max = numberParam(params, 'maxDurationMs');
  if (max !== undefined) filter.maxDurationMs = max;
  for (const pair of params.getAll('attr')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new QueryError(`attr: "${pair}" is not key=value`);
    filter.attributes.push({ key: pair.slice(0, equals), value: pair.slice(equals + 1) });
  }
  const from = timeParam(params, 'from');
  if (from !== undefined) filter.fromMs = from;
  const to = timeParam(params, 'to');
  if (to !== undefined) filter.toMs = to;
  const name = params.get('name');
  if (name) filter.name = name;
  const complete = booleanParam(params, 'complete');
  if (complete !== undefined) filter.complete = complete;
  const limit = numberParam(params, 'limit');
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new QueryError(`limit: "${params.get('limit')}" is not a whole number from 1 to ${MAX_LIMIT}`);
    filter.limit = limit;
  }
  return filter;
}

function valueText(value: ReceivedValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function hasAttribute(facts: TraceFacts, key: string, value: string): boolean {
  return facts.spans.some(({ span }) => {
    const own = Object.prototype.hasOwnProperty.call(span.attributes, key) ? span.attributes[key] : undefined;
    const resource = Object.prototype.hasOwnProperty.call(span.resource, key) ? span.resource[key] : undefined;
    return valueText(own) === value || valueText(resource) === value;
  });
}

/** Whether a trace passes the filter (limit aside). */
export function matchesFilter(facts: TraceFacts, summary: TraceSummary, filter: TraceFilter): boolean {
  if (filter.service !== undefined && !summary.services.includes(filter.service)) return false;
  if (filter.status !== undefined && summary.status !== filter.status) return false;
  if (filter.minDurationMs !== undefined && summary.durationMs < filter.minDurationMs) return false;
  if (filter.maxDurationMs !== undefined && summary.durationMs > filter.maxDurationMs) return false;
  if (filter.fromMs !== undefined && summary.startMs < filter.fromMs) return false;
  if (filter.toMs !== undefined && summary.startMs > filter.toMs) return false;
  if (filter.complete !== undefined && summary.complete !== filter.complete) return false;
  const name = filter.name;
  if (name !== undefined && !facts.spans.some(({ span }) => span.name.includes(name))) return false;
  return filter.attributes.every(({ key, value }) => hasAttribute(facts, key, value));
}
