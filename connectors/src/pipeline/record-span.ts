// A span record (plain data) → the ReadableSpan the export path takes, with exactly the record's
// ids and start time. Errors become the semantic-convention exception event and error.type.
import type { Attributes, HrTime, SpanContext, SpanStatus, TraceState } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { hrTimeDuration, sanitizeAttributes } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ERROR_TYPE_VALUE_OTHER,
} from '@opentelemetry/semantic-conventions';
import type { RecordAttributes, SpanRecord, SpanRecordEvent, SpanRecordKind } from '../model';
import { parseTraceState } from '../propagation/tracestate';
import { compareHrTime, nanosStringToHrTime } from './time';

/** Marks a span the pipeline ended on the owner's behalf (abandoned, or closed without an end). */
export const ATTR_SPAN_INCOMPLETE = 'threadline.span.incomplete';
const EXCEPTION_EVENT_NAME = 'exception';

const KINDS: Readonly<Record<SpanRecordKind, SpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

export function isRecordKind(kind: unknown): kind is SpanRecordKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(KINDS, kind);
}

export function toSpanKind(kind: SpanRecordKind): SpanKind {
  return KINDS[kind];
}

/** What closing a record adds to it. */
export interface RecordEnd {
  endTime: HrTime;
  status?: SpanStatus;
  attributes?: RecordAttributes;
  events?: SpanRecordEvent[];
  error?: unknown;
  incomplete?: boolean;
}

interface ErrorFacts {
  type: string;
  message: string;
  stack?: string;
}

function errorFacts(error: unknown): ErrorFacts {
  try {
    if (error instanceof Error) {
      const type = error.constructor?.name || error.name || ERROR_TYPE_VALUE_OTHER;
      return { type, message: error.message, stack: error.stack };
    }
    if (typeof error === 'object' && error !== null) {
      const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
      const type = typeof code === 'string' ? code : typeof name === 'string' ? name : ERROR_TYPE_VALUE_OTHER;
      return { type, message: typeof message === 'string' ? message : JSON.stringify(error) ?? String(error) };
    }
    return { type: ERROR_TYPE_VALUE_OTHER, message: String(error) };
  } catch {
    return { type: ERROR_TYPE_VALUE_OTHER, message: 'unprintable error' };
  }
}

function toTimedEvent(event: SpanRecordEvent, fallbackTime: HrTime): TimedEvent {
  return {
    name: String(event.name),
    time: nanosStringToHrTime(event.timeUnixNano) ?? fallbackTime,
    attributes: sanitizeAttributes(event.attributes),
    droppedAttributesCount: 0,
  };
}

/** What this process kept of a record it opened itself, so it is not parsed back from the record. */
export interface KnownStart {
  startTime: HrTime;
  traceState: TraceState | undefined;
}

export function recordToReadableSpan(
  record: SpanRecord,
  end: RecordEnd,
  resource: Resource,
  defaultScope: InstrumentationScope,
  known?: KnownStart,
): ReadableSpan {
  const startTime = known?.startTime ?? nanosStringToHrTime(record.startTimeUnixNano) ?? end.endTime;
  const endTime = compareHrTime(end.endTime, startTime) < 0 ? startTime : end.endTime;
  // sanitizeAttributes returns a new object: it is this span's own to add to
  const attributes: Attributes = sanitizeAttributes(record.attributes);
  if (end.attributes !== undefined) Object.assign(attributes, sanitizeAttributes(end.attributes));
  const events: TimedEvent[] = [];
  if (record.events !== undefined) for (const event of record.events) events.push(toTimedEvent(event, endTime));
  if (end.events !== undefined) for (const event of end.events) events.push(toTimedEvent(event, endTime));
  let status: SpanStatus = end.status ?? { code: SpanStatusCode.UNSET };

  if (end.error !== undefined) {
    const facts = errorFacts(end.error);
    attributes[ATTR_ERROR_TYPE] = facts.type;
    const exception: Attributes = { [ATTR_EXCEPTION_TYPE]: facts.type, [ATTR_EXCEPTION_MESSAGE]: facts.message };
    if (facts.stack) exception[ATTR_EXCEPTION_STACKTRACE] = facts.stack;
    events.push({ name: EXCEPTION_EVENT_NAME, time: endTime, attributes: exception, droppedAttributesCount: 0 });
    if (end.status === undefined) status = { code: SpanStatusCode.ERROR, message: facts.message };
  }
  if (end.incomplete) attributes[ATTR_SPAN_INCOMPLETE] = true;

  const spanContext: SpanContext = {
    traceId: record.traceId,
    spanId: record.spanId,
    traceFlags: record.traceFlags,
    traceState: known !== undefined ? known.traceState : record.tracestate === undefined ? undefined : parseTraceState(record.tracestate),
  };
  const parentSpanContext: SpanContext | undefined =
    record.parentSpanId === undefined ? undefined : { traceId: record.traceId, spanId: record.parentSpanId, traceFlags: record.traceFlags };

  return {
    name: record.name,
    kind: toSpanKind(record.kind),
    spanContext: () => spanContext,
    parentSpanContext,
    startTime,
    endTime,
    status,
    attributes,
    links: [],
    events,
    duration: hrTimeDuration(startTime, endTime),
    ended: true,
    resource,
    instrumentationScope: record.scope?.name ? { name: record.scope.name, version: record.scope.version } : defaultScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
