// A span record (plain data) → the ReadableSpan the export path takes, with exactly the record's
// ids and start time. Errors become the semantic-convention exception event and error.type.
import type { Attributes, HrTime, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
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

/** Most distinct scopes kept for sharing (names come from code, but a record from a message can name any). */
const MAX_SHARED_SCOPES = 256;
const sharedScopes = new Map<string, Map<string | undefined, InstrumentationScope>>();
let sharedScopeCount = 0;

/**
 * One InstrumentationScope object per name and version: the OTLP encoder groups a batch's spans
 * by scope object, so a new object per span would give every span a ScopeSpans of its own.
 */
function scopeOf(name: string, version: string | undefined): InstrumentationScope {
  const versions = sharedScopes.get(name);
  const known = versions?.get(version);
  if (known !== undefined) return known;
  // frozen: one object is handed to many spans
  const scope: InstrumentationScope = Object.freeze(version === undefined ? { name } : { name, version });
  if (sharedScopeCount < MAX_SHARED_SCOPES) {
    sharedScopeCount++;
    if (versions === undefined) sharedScopes.set(name, new Map([[version, scope]]));
    else versions.set(version, scope);
  }
  return scope;
}

/**
 * What this process kept of a record it opened itself, so it is not parsed back from the record:
 * its start as HrTime, and (the object itself) the record's SpanContext.
 */
export interface KnownStart extends SpanContext {
  readonly startTime: HrTime;
}

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
/** Spans from records have no links, and most have no events: one frozen empty array for all. */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/** `events` with `event` added: a new array in place of the shared empty one. */
function withEvent(events: TimedEvent[], event: TimedEvent): TimedEvent[] {
  const list = events === NONE ? [] : events;
  list.push(event);
  return list;
}

/** A finished span made from a record: a class, so spanContext() is a method, not a closure per span. */
class RecordedSpan implements ReadableSpan {
  readonly ended = true;
  readonly links: Link[] = NONE;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly duration: HrTime;
  readonly #context: SpanContext;

  constructor(
    readonly name: string,
    readonly kind: SpanKind,
    context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly startTime: HrTime,
    readonly endTime: HrTime,
    readonly status: SpanStatus,
    readonly attributes: Attributes,
    readonly events: TimedEvent[],
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
  ) {
    this.#context = context;
    this.duration = hrTimeDuration(startTime, endTime);
  }

  spanContext(): SpanContext {
    return this.#context;
  }
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
  let events: TimedEvent[] = NONE;
  if (record.events !== undefined) for (const event of record.events) events = withEvent(events, toTimedEvent(event, endTime));
  if (end.events !== undefined) for (const event of end.events) events = withEvent(events, toTimedEvent(event, endTime));
  let status: SpanStatus = end.status ?? UNSET_STATUS;

  if (end.error !== undefined) {
    const facts = errorFacts(end.error);
    attributes[ATTR_ERROR_TYPE] = facts.type;
    const exception: Attributes = { [ATTR_EXCEPTION_TYPE]: facts.type, [ATTR_EXCEPTION_MESSAGE]: facts.message };
    if (facts.stack) exception[ATTR_EXCEPTION_STACKTRACE] = facts.stack;
    events = withEvent(events, { name: EXCEPTION_EVENT_NAME, time: endTime, attributes: exception, droppedAttributesCount: 0 });
    if (end.status === undefined) status = { code: SpanStatusCode.ERROR, message: facts.message };
  }
  if (end.incomplete) attributes[ATTR_SPAN_INCOMPLETE] = true;

  const spanContext: SpanContext = known ?? {
    traceId: record.traceId,
    spanId: record.spanId,
    traceFlags: record.traceFlags,
    traceState: record.tracestate === undefined ? undefined : parseTraceState(record.tracestate),
  };
  const parentSpanContext: SpanContext | undefined =
    record.parentSpanId === undefined ? undefined : { traceId: record.traceId, spanId: record.parentSpanId, traceFlags: record.traceFlags };
  const scope = record.scope?.name ? scopeOf(record.scope.name, record.scope.version) : defaultScope;
  return new RecordedSpan(record.name, toSpanKind(record.kind), spanContext, parentSpanContext, startTime, endTime, status, attributes, events, resource, scope);
}
