// Span records: a span opened in one step and closed in another, maybe in another process, held
// as plain data in between (see model.ts). Opening decides sampling and makes the ids; closing
// turns the record into one span with exactly those ids and that start time and sends it down
// the same redact → batch → export path as every other span.
import type { Attributes, Context, HrTime, SpanContext, SpanStatus, TimeInput, TraceState } from '@opentelemetry/api';
import { isSpanContextValid, ROOT_CONTEXT, SamplingDecision, trace } from '@opentelemetry/api';
import { sanitizeAttributes } from '@opentelemetry/core';
import type { IdGenerator, Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { RecordAttributes, SpanRecord, SpanRecordEvent, SpanRecordKind, TraceCarrier } from '../model';
import { isValidSpanIdHex, isValidTraceIdHex } from '../propagation/hex';
import { FLAG_RANDOM, FLAG_SAMPLED, formatTraceparent, KNOWN_FLAGS_MASK, parseTraceparent } from '../propagation/traceparent';
import { parseTraceState } from '../propagation/tracestate';
import { isRecordKind, toSpanKind } from './record-span';
import { isLocalParentSampler } from './sampling/parent-based-sampler';
import { hrTimeToNanosString, isNanosString, toHrTime } from './time';

export interface OpenRecordOptions {
  name: string;
  kind?: SpanRecordKind;
  /**
   * The caller's context as carried on a message (W3C strings), a live SpanContext, or an open
   * span record (through Pipeline.openRecord: a record that pipeline opened is not checked again).
   */
  parent?: TraceCarrier | SpanContext | SpanRecord;
  attributes?: RecordAttributes;
  /** HrTime, epoch milliseconds, a Date, or nanoseconds since the epoch as a decimal string. Default: now. */
  startTime?: TimeInput | string;
  scope?: { name: string; version?: string };
  /** Context the sampling decision is made in, e.g. one marked with markTrustedCaller. */
  context?: Context;
}

export interface EndRecordOptions {
  /** Same forms as OpenRecordOptions.startTime. Default: now. */
  endTime?: TimeInput | string;
  status?: SpanStatus;
  attributes?: RecordAttributes;
  events?: SpanRecordEvent[];
  /** Recorded as an `exception` event and `error.type`; the status becomes ERROR unless `status` is given. */
  error?: unknown;
  /** Marks the span threadline.span.incomplete=true. */
  incomplete?: boolean;
}

/**
 * - queued: handed to the export queue;
 * - not-sampled: a valid record whose trace is not sampled, nothing to export;
 * - disabled: the exporter is disabled;
 * - dropped: the queue was full or the pipeline is shut down (counted in stats().dropped);
 * - already-ended: the sweeper ended it as abandoned before;
 * - invalid: not a span record, see `problems`.
 */
export type EndRecordOutcome = 'queued' | 'not-sampled' | 'disabled' | 'dropped' | 'already-ended' | 'invalid';

export interface EndRecordResult {
  outcome: EndRecordOutcome;
  problems?: string[];
}

const DEFAULT_RECORD_NAME = 'span';
/** Read once: bundled, an imported enum is a getter call at every use, and this one is read per record. */
const RECORD_AND_SAMPLED = SamplingDecision.RECORD_AND_SAMPLED;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with a would-be SpanRecord (for example one that arrived as JSON); empty when valid. */
export function validateRecord(record: unknown): string[] {
  if (!isPlainObject(record)) return ['record: expected an object'];
  const problems: string[] = [];
  if (record.v !== 1) problems.push(`record.v: expected 1, got ${JSON.stringify(record.v)}`);
  if (!isValidTraceIdHex(record.traceId)) problems.push('record.traceId: expected 32 lowercase hex characters, not all zero');
  if (!isValidSpanIdHex(record.spanId)) problems.push('record.spanId: expected 16 lowercase hex characters, not all zero');
  if (record.parentSpanId !== undefined && !isValidSpanIdHex(record.parentSpanId)) {
    problems.push('record.parentSpanId: expected 16 lowercase hex characters, not all zero');
  }
  const flags = record.traceFlags;
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 0xff) {
    problems.push('record.traceFlags: expected an integer from 0 to 255');
  }
  if (record.tracestate !== undefined && typeof record.tracestate !== 'string') problems.push('record.tracestate: expected a string');
  if (typeof record.name !== 'string' || record.name === '') problems.push('record.name: expected a non-empty string');
  if (!isRecordKind(record.kind)) problems.push('record.kind: expected internal, server, client, producer or consumer');
  if (!isNanosString(record.startTimeUnixNano)) problems.push('record.startTimeUnixNano: expected nanoseconds as a decimal string');
  if (!isPlainObject(record.attributes)) problems.push('record.attributes: expected an object');
  if (record.events !== undefined) {
    if (!Array.isArray(record.events)) problems.push('record.events: expected an array');
    else {
      record.events.forEach((event: unknown, index) => {
        if (!isPlainObject(event) || typeof event.name !== 'string' || !isNanosString(event.timeUnixNano)) {
          problems.push(`record.events[${index}]: expected { name, timeUnixNano }`);
        }
      });
    }
  }
  if (record.scope !== undefined && (!isPlainObject(record.scope) || typeof record.scope.name !== 'string')) {
    problems.push('record.scope: expected { name, version? }');
  }
  return problems;
}

function isCarrier(parent: TraceCarrier | SpanContext | SpanRecord): parent is TraceCarrier {
  return 'traceparent' in parent;
}

function isRecordShaped(parent: SpanContext | SpanRecord): parent is SpanRecord {
  return 'v' in parent && 'startTimeUnixNano' in parent;
}

/**
 * The parent a record hangs under: a carrier is parsed strictly (an invalid traceparent means a
 * new trace, and its tracestate is dropped with it); a SpanContext must be valid.
 */
export function parentSpanContextOf(parent: TraceCarrier | SpanContext | SpanRecord | undefined): SpanContext | undefined {
  if (typeof parent !== 'object' || parent === null) return undefined;
  if (!isCarrier(parent) && isRecordShaped(parent)) return parentSpanContextOf(recordToCarrier(parent) ?? undefined);
  if (isCarrier(parent)) {
    const traceparent = parseTraceparent(parent.traceparent);
    if (!traceparent) return undefined;
    return {
      traceId: traceparent.traceId,
      spanId: traceparent.parentId,
      traceFlags: traceparent.traceFlags & KNOWN_FLAGS_MASK,
      isRemote: true,
      traceState: parseTraceState(parent.tracestate),
    };
  }
  return isSpanContextValid(parent) ? parent : undefined;
}

/** The record as the parent of outgoing calls; undefined when its ids are not valid. */
export function recordToCarrier(record: SpanRecord): TraceCarrier | undefined {
  if (!isPlainObject(record)) return undefined;
  const traceparent = formatTraceparent({ traceId: record.traceId, parentId: record.spanId, traceFlags: record.traceFlags });
  if (traceparent === undefined) return undefined;
  const carrier: TraceCarrier = { traceparent };
  if (typeof record.tracestate === 'string' && record.tracestate !== '') carrier.tracestate = record.tracestate;
  return carrier;
}

export interface RecordOpenerOptions {
  sampler: Sampler;
  idGenerator: IdGenerator;
  /** The idGenerator's trace ids are random in their right-most 7 bytes: roots get the W3C random flag. */
  randomTraceIds: boolean;
}

/**
 * A record as this process opened it: the record, and what closing it needs in the form the SDK
 * uses (start as HrTime, tracestate parsed), so a record that never left the process is neither
 * validated nor converted again. It is also the record's SpanContext (valid ids, local): as the
 * parent of the next record and as the finished span's context, without another object per span.
 * stillAsOpened tells whether the record still holds what was opened.
 */
export interface OpenedRecord extends ParentFacts {
  readonly record: SpanRecord;
  /** Who opened it (the opener options of one pipeline): another pipeline's records are not trusted. */
  readonly owner: RecordOpenerOptions;
  readonly startTime: HrTime;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: SpanRecordKind;
  readonly startTimeUnixNano: string;
}

/** A parent this process vouches for: its SpanContext (valid ids, local) with its tracestate text. */
export interface ParentFacts extends SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState: TraceState | undefined;
  /** The record's tracestate text. */
  readonly tracestate: string | undefined;
}

/**
 * The sampler's decision for a new record. The child of a vouched parent goes to a sampler that
 * decides local children without a Context when it can (no Context built, ids not checked again);
 * otherwise the sampler gets the usual root context holding the parent.
 */
function decide(
  opener: RecordOpenerOptions,
  options: OpenRecordOptions,
  parent: SpanContext | undefined,
  vouched: ParentFacts | undefined,
  traceId: string,
  name: string,
  kind: SpanRecordKind,
  attributes: Attributes,
): SamplingResult {
  const sampler = opener.sampler;
  if (vouched !== undefined && options.context === undefined && isLocalParentSampler(sampler)) return sampler.shouldSampleLocalChild(vouched, traceId);
  const baseContext = options.context ?? ROOT_CONTEXT;
  // the root context holds no span: a root needs no copy of it without one
  const context = parent ? trace.setSpanContext(baseContext, parent) : baseContext === ROOT_CONTEXT ? ROOT_CONTEXT : trace.deleteSpan(baseContext);
  return sampler.shouldSample(context, traceId, name, toSpanKind(kind), attributes, []);
}

/**
 * Whether `record` still holds the fields it was opened with (string fields compared by value, a
 * few comparisons instead of validateRecord's patterns); events and attributes are checked for
 * their shape only, events fully by validateRecord when there are any.
 */
export function stillAsOpened(record: SpanRecord, opened: OpenedRecord): boolean {
  return (
    record.v === 1 &&
    record.traceId === opened.traceId &&
    record.spanId === opened.spanId &&
    record.parentSpanId === opened.parentSpanId &&
    record.traceFlags === opened.traceFlags &&
    record.tracestate === opened.tracestate &&
    record.name === opened.name &&
    record.kind === opened.kind &&
    record.startTimeUnixNano === opened.startTimeUnixNano &&
    isPlainObject(record.attributes) &&
    (record.events === undefined || (Array.isArray(record.events) && record.events.length === 0)) &&
    (record.scope === undefined || (isPlainObject(record.scope) && typeof record.scope.name === 'string'))
  );
}

/** Opens records: sampling decided now, ids made now, valid even when not sampled so children propagate. */
export function openSpanRecord(options: OpenRecordOptions, opener: RecordOpenerOptions): SpanRecord {
  return openRecordWithFacts(options, opener).record;
}

/** openSpanRecord, keeping what closing the record in this process needs (see OpenedRecord). */
export function openRecordWithFacts(options: OpenRecordOptions, opener: RecordOpenerOptions, vouched?: ParentFacts): OpenedRecord {
  const name = typeof options.name === 'string' && options.name !== '' ? options.name : DEFAULT_RECORD_NAME;
  const kind: SpanRecordKind = isRecordKind(options.kind) ? options.kind : 'internal';
  const parent = vouched ?? parentSpanContextOf(options.parent);
  const traceId = parent?.traceId ?? opener.idGenerator.generateTraceId();
  const spanId = opener.idGenerator.generateSpanId();
  const attributes = sanitizeAttributes(options.attributes);
  const startTime = toHrTime(options.startTime);
  const startTimeUnixNano = hrTimeToNanosString(startTime);

  const decision = decide(opener, options, parent, vouched, traceId, name, kind, attributes);
  const sampled = decision.decision === RECORD_AND_SAMPLED ? FLAG_SAMPLED : 0;
  const parentRandom = parent && (parent.traceFlags & FLAG_RANDOM) !== 0;
  const random = (parent ? parentRandom : opener.randomTraceIds) ? FLAG_RANDOM : 0;
  const traceState = decision.traceState ?? parent?.traceState;
  // a child mostly keeps its parent's tracestate object: its text is the parent's, not serialized again
  const tracestate = vouched !== undefined && traceState === vouched.traceState ? vouched.tracestate : traceState?.serialize() || undefined;
  const decided = decision.attributes;

  // sanitizeAttributes returned a new object: the sampler's attributes can go straight into it
  const recordAttributes = (decided === undefined ? attributes : Object.assign(attributes, sanitizeAttributes(decided))) as RecordAttributes;
  const record = new LocalSpanRecord(traceId, spanId, sampled | random, name, kind, startTimeUnixNano, recordAttributes);
  if (parent) record.parentSpanId = parent.spanId;
  if (tracestate) record.tracestate = tracestate;
  if (options.scope && typeof options.scope.name === 'string' && options.scope.name !== '') {
    record.scope = options.scope.version === undefined ? { name: options.scope.name } : { name: options.scope.name, version: options.scope.version };
  }
  const opened: OpenedRecord = {
    record,
    owner: opener,
    startTime,
    traceState: tracestate === undefined ? undefined : traceState,
    traceId,
    spanId,
    parentSpanId: record.parentSpanId,
    traceFlags: record.traceFlags,
    tracestate: record.tracestate,
    name,
    kind,
    startTimeUnixNano,
  };
  record.attach(opened);
  return opened;
}

/**
 * A record as this process opens it. To everything else it is plain SpanRecord data: JSON, object
 * spread, Node-RED's message clone and test equality see only the record's fields, so a copy is a
 * record from elsewhere. Its private field ties this very object to what its opener knows of it:
 * cheaper than defining a hidden property on a plain object (a slow path, about 0.1 µs a record),
 * and no WeakMap entry per span for the garbage collector.
 */
class LocalSpanRecord implements SpanRecord {
  declare v: 1;
  declare traceId: string;
  declare spanId: string;
  declare parentSpanId?: string;
  declare traceFlags: number;
  declare tracestate?: string;
  declare name: string;
  declare kind: SpanRecordKind;
  declare startTimeUnixNano: string;
  declare attributes: RecordAttributes;
  declare events?: SpanRecordEvent[];
  declare scope?: { name: string; version?: string };
  #opened: OpenedRecord | undefined;

  constructor(traceId: string, spanId: string, traceFlags: number, name: string, kind: SpanRecordKind, startTimeUnixNano: string, attributes: RecordAttributes) {
    // the fields in the order a record literal has them (JSON output reads the same)
    this.v = 1;
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceFlags = traceFlags;
    this.name = name;
    this.kind = kind;
    this.startTimeUnixNano = startTimeUnixNano;
    this.attributes = attributes;
  }

  attach(opened: OpenedRecord): void {
    this.#opened = opened;
  }

  static openedOf(record: object): OpenedRecord | undefined {
    return #opened in record ? (record as LocalSpanRecord).#opened : undefined;
  }
}

/** What `owner` kept of `record` when it opened this very object; undefined for anything else. */
export function openedBy(record: SpanRecord, owner: RecordOpenerOptions): OpenedRecord | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const opened = LocalSpanRecord.openedOf(record);
  return opened !== undefined && opened.owner === owner ? opened : undefined;
}
