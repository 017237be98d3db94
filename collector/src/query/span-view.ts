// The API's view of a stored span (ApiSpan) and the small derivations every query uses.
import type { ApiSpan, SpanKindName, SpanStatusName, StepLabel } from '../api/contract';
import type { StoredSpan } from '../store/trace-store';
import { flowStepOf, flowStepText } from './flow-step';

const KIND_NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_NAMES: readonly SpanStatusName[] = ['unset', 'ok', 'error'];
export const UNKNOWN_SERVICE = 'unknown_service';

export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;
export const SPAN_KIND_PRODUCER = 4;
export const SPAN_KIND_CONSUMER = 5;
export const STATUS_ERROR = 2;

/** Nanoseconds since the epoch (decimal string) → milliseconds with a fraction. */
export function nanosToMs(nanos: string): number {
  const value = BigInt(nanos);
  return Number(value / 1000n) / 1000;
}

export function serviceOf(span: StoredSpan): string {
  const name = span.resource['service.name'];
  return typeof name === 'string' && name !== '' ? name : UNKNOWN_SERVICE;
}

export function startMsOf(span: StoredSpan): number {
  return nanosToMs(span.startTimeUnixNano);
}

export function endMsOf(span: StoredSpan): number {
  return Math.max(nanosToMs(span.endTimeUnixNano), startMsOf(span));
}

export function kindName(kind: number): SpanKindName {
  return KIND_NAMES[kind] ?? 'unspecified';
}

export function statusName(code: number): SpanStatusName {
  return STATUS_NAMES[code] ?? 'unset';
}

/** The step label of a span: its flow step when it has one, else service and span name. */
export function stepLabelOf(span: StoredSpan): StepLabel {
  const service = serviceOf(span);
  const step = flowStepOf(span.attributes, span.resource);
  const label = step !== undefined ? flowStepText(step) : `service "${service}" › span "${span.name}"`;
  return step !== undefined ? { service, spanName: span.name, step, label } : { service, spanName: span.name, label };
}

export function toApiSpan(span: StoredSpan, parentMissing: boolean): ApiSpan {
  const startMs = startMsOf(span);
  const view: ApiSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    parentMissing,
    name: span.name,
    kind: kindName(span.kind),
    service: serviceOf(span),
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    startMs,
    durationMs: endMsOf(span) - startMs,
    status: span.status.message === undefined ? { code: statusName(span.status.code) } : { code: statusName(span.status.code), message: span.status.message },
    attributes: span.attributes,
    resource: span.resource,
    scope: span.scope,
    events: span.events.map((event) => ({ ...event, timeMs: nanosToMs(event.timeUnixNano) })),
    links: span.links,
    receivedMs: span.receivedMs,
  };
  if (span.parentSpanId !== undefined) view.parentSpanId = span.parentSpanId;
  if (span.traceState !== undefined) view.traceState = span.traceState;
  const flow = flowStepOf(span.attributes, span.resource);
  if (flow !== undefined) view.flow = flow;
  return view;
}
