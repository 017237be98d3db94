// OTLP/protobuf encoding of an ExportTraceServiceRequest from finished spans, for the exporter's
// hot path. It writes the same bytes as OpenTelemetry's ProtobufTraceSerializer (same fields, same
// order, same grouping by Resource and scope object), in one pass instead of a size estimate
// followed by a write: strings and ids go to the buffer through Buffer's native UTF-8 and hex
// writers, and lengths are back-patched. A SpanBatchEncoder takes the spans of a batch one at a
// time, as they are queued, so the export queue holds bytes rather than span objects.
//
// Messages (opentelemetry/proto trace/v1, common/v1, resource/v1):
//   ExportTraceServiceRequest { 1 resource_spans }
//   ResourceSpans { 1 resource, 2 scope_spans, 3 schema_url }   Resource { 1 attributes, 2 dropped_attributes_count }
//   ScopeSpans { 1 scope, 2 spans, 3 schema_url }   InstrumentationScope { 1 name, 2 version, 3 attributes, 4 dropped }
//   Span { 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind, 7 start, 8 end, 9 attributes,
//          10 dropped_attributes, 11 events, 12 dropped_events, 13 links, 14 dropped_links, 15 status, 16 flags }
//   Event { 1 time, 2 name, 3 attributes, 4 dropped }   Link { 1 trace_id, 2 span_id, 3 trace_state, 4 attributes, 5 dropped, 6 flags }
//   Status { 2 message, 3 code }   KeyValue { 1 key, 2 value }
//   AnyValue { 1 string, 2 bool, 3 int, 4 double, 5 array, 6 kvlist, 7 bytes }   ArrayValue / KeyValueList { 1 values }
import type { Attributes, HrTime, Link, SpanContext, SpanStatus, TraceState } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Span flags (proto SpanFlags): the context's "is remote" is known, and whether it is remote. */
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

/** First size of the buffer of one scope's spans (it doubles as it fills). */
const INITIAL_GROUP_BYTES = 4 * 1024;
const TWO_POW_32 = 0x1_0000_0000;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** A growable byte buffer with the few protobuf primitives the trace messages need. */
class ProtobufBuffer {
  private bytes: Buffer;
  pos = 0;

  constructor(initialBytes: number) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  /** What was written, without a copy: the buffer is not written to again. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }

  /** Bytes written by another buffer, as they are. */
  append(other: ProtobufBuffer): void {
    this.ensure(other.pos);
    other.bytes.copy(this.bytes, this.pos, 0, other.pos);
    this.pos += other.pos;
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.bytes.copy(grown, 0, 0, this.pos);
    this.bytes = grown;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** A non-negative integer below 2^32. */
  varint(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.bytes[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.pos++] = v;
  }

  /** An int64 as protobuf writes it: negative values in two's complement (ten bytes). */
  int64(value: number): void {
    if (value >= 0 && value < TWO_POW_32) {
      this.varint(value);
      return;
    }
    this.ensure(10);
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.bytes[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.bytes[this.pos++] = Number(v);
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.pos = this.bytes.writeUInt32LE(value >>> 0, this.pos);
  }

  double(value: number): void {
    this.ensure(8);
    this.pos = this.bytes.writeDoubleLE(value, this.pos);
  }

  /** Nanoseconds since the epoch of an HrTime, as fixed64, computed exactly (it exceeds 2^53). */
  hrTime(time: HrTime): void {
    const [seconds, nanos] = time;
    // seconds × 1e9 + nanos = high16 × 1e9 × 2^16 + (low16 × 1e9 + nanos); each product stays below 2^53.
    const high16 = Math.floor(seconds / 0x10000);
    const rest = (seconds % 0x10000) * 1e9 + nanos;
    const scaled = high16 * 1e9;
    const lowSum = (scaled % 0x10000) * 0x10000 + (rest % TWO_POW_32);
    const low = lowSum % TWO_POW_32;
    const high = Math.floor(scaled / 0x10000) + Math.floor(rest / TWO_POW_32) + Math.floor(lowSum / TWO_POW_32);
    this.ensure(8);
    this.bytes.writeUInt32LE(low >>> 0, this.pos);
    this.bytes.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string (lone surrogates become U+FFFD, as TextEncoder writes them). */
  string(value: string): void {
    const length = value.length;
    if (length < 0x80) {
      // Short ASCII text (most keys and values) is copied here: a call into Buffer's native
      // writer costs more than the copy. The length fits one byte and is written after the text.
      this.ensure(length + 1);
      const bytes = this.bytes;
      let at = this.pos + 1;
      let index = 0;
      for (; index < length; index++) {
        const code = value.charCodeAt(index);
        if (code >= 0x80) break;
        bytes[at++] = code;
      }
      if (index === length) {
        bytes[this.pos] = length;
        this.pos = at;
        return;
      }
    }
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.varint(byteLength);
    this.ensure(byteLength);
    this.pos += this.bytes.write(value, this.pos, 'utf8');
  }

  /** A trace or span id (lowercase or uppercase hex text) as bytes. */
  hexId(hex: string): void {
    const length = hex.length >>> 1;
    if (length >= 0x80) {
      this.bytesField(Buffer.from(hex, 'hex'));
      return;
    }
    this.ensure(length + 1);
    const bytes = this.bytes;
    bytes[this.pos++] = length;
    for (let index = 0; index < length * 2; index += 2) bytes[this.pos++] = HEX_PAIRS[((hex.charCodeAt(index) & 0x7f) << 7) | (hex.charCodeAt(index + 1) & 0x7f)]!;
  }

  bytesField(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }

  /** Starts a length-delimited message; returns where its length goes (one byte reserved). */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the message begun at `start`, moving its bytes when the length needs more than one byte. */
  end(start: number): void {
    const length = this.pos - start - 1;
    if (length < 0x80) {
      this.bytes[start] = length;
      return;
    }
    let size = 1;
    for (let v = length >>> 7; v > 0; v >>>= 7) size++;
    this.ensure(size - 1);
    this.bytes.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = start;
    while (v > 0x7f) {
      this.bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[at] = v;
  }
}

/** The value of one hex digit (0-9, a-f, A-F). */
function nibble(code: number): number {
  if (code <= 0x39) return code - 0x30;
  return (code | 0x20) - 0x57;
}

/** The byte two hex digits spell, indexed by their 7-bit codes (one lookup a byte; ids are checked before they get here). */
const HEX_PAIRS = ((): Uint8Array => {
  const table = new Uint8Array(1 << 14);
  const digits = '0123456789abcdefABCDEF';
  for (const high of digits) for (const low of digits) table[(high.charCodeAt(0) << 7) | low.charCodeAt(0)] = (nibble(high.charCodeAt(0)) << 4) | nibble(low.charCodeAt(0));
  return table;
})();

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (isRemote ? FLAG_IS_REMOTE : 0);
}

function writeAnyValue(out: ProtobufBuffer, value: unknown): void {
  switch (typeof value) {
    case 'string':
      out.tag(1, LENGTH_DELIMITED);
      out.string(value);
      return;
    case 'boolean':
      out.tag(2, VARINT);
      out.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        out.tag(3, VARINT);
        out.int64(value);
      } else {
        out.tag(4, FIXED64);
        out.double(value);
      }
      return;
    default:
      break;
  }
  if (value instanceof Uint8Array) {
    out.tag(7, LENGTH_DELIMITED);
    out.bytesField(value);
  } else if (Array.isArray(value)) {
    out.tag(5, LENGTH_DELIMITED);
    const array = out.begin();
    for (const item of value) {
      out.tag(1, LENGTH_DELIMITED);
      const entry = out.begin();
      writeAnyValue(out, item);
      out.end(entry);
    }
    out.end(array);
  } else if (typeof value === 'object' && value !== null) {
    out.tag(6, LENGTH_DELIMITED);
    const list = out.begin();
    writeAttributes(out, value as Attributes, 1);
    out.end(list);
  }
}

function writeAttributes(out: ProtobufBuffer, attributes: Attributes, field: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    out.tag(field, LENGTH_DELIMITED);
    const keyValue = out.begin();
    out.tag(1, LENGTH_DELIMITED);
    out.string(key);
    out.tag(2, LENGTH_DELIMITED);
    const anyValue = out.begin();
    writeAnyValue(out, attributes[key]);
    out.end(anyValue);
    out.end(keyValue);
  }
}

function writeStatus(out: ProtobufBuffer, status: SpanStatus): void {
  out.tag(15, LENGTH_DELIMITED);
  const start = out.begin();
  if (status.message) {
    out.tag(2, LENGTH_DELIMITED);
    out.string(status.message);
  }
  out.tag(3, VARINT);
  out.varint(status.code);
  out.end(start);
}

function writeEvent(out: ProtobufBuffer, event: TimedEvent): void {
  out.tag(11, LENGTH_DELIMITED);
  const start = out.begin();
  out.tag(1, FIXED64);
  out.hrTime(event.time);
  out.tag(2, LENGTH_DELIMITED);
  out.string(event.name);
  if (event.attributes) writeAttributes(out, event.attributes, 3);
  out.tag(4, VARINT);
  out.varint(event.droppedAttributesCount || 0);
  out.end(start);
}

// TraceState objects are immutable and most spans of a process share a few (a sampled root's
// `ot=` entry is one object): the text of the last one is kept.
let lastTraceState: TraceState | undefined;
let lastTraceStateText = '';

function traceStateText(traceState: TraceState): string {
  if (traceState !== lastTraceState) {
    lastTraceStateText = traceState.serialize();
    lastTraceState = traceState;
  }
  return lastTraceStateText;
}

function writeTraceState(out: ProtobufBuffer, field: number, context: SpanContext): void {
  const traceState = context.traceState === undefined ? '' : traceStateText(context.traceState);
  if (!traceState) return;
  out.tag(field, LENGTH_DELIMITED);
  out.string(traceState);
}

function writeLink(out: ProtobufBuffer, link: Link): void {
  const context = link.context;
  out.tag(13, LENGTH_DELIMITED);
  const start = out.begin();
  out.tag(1, LENGTH_DELIMITED);
  out.hexId(context.traceId);
  out.tag(2, LENGTH_DELIMITED);
  out.hexId(context.spanId);
  writeTraceState(out, 3, context);
  if (link.attributes) writeAttributes(out, link.attributes, 4);
  out.tag(5, VARINT);
  out.varint(link.droppedAttributesCount || 0);
  out.tag(6, FIXED32);
  out.fixed32(spanFlags(context.traceFlags, context.isRemote));
  out.end(start);
}

function writeSpan(out: ProtobufBuffer, span: ReadableSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  out.tag(2, LENGTH_DELIMITED);
  const start = out.begin();
  out.tag(1, LENGTH_DELIMITED);
  out.hexId(context.traceId);
  out.tag(2, LENGTH_DELIMITED);
  out.hexId(context.spanId);
  writeTraceState(out, 3, context);
  if (parent?.spanId) {
    out.tag(4, LENGTH_DELIMITED);
    out.hexId(parent.spanId);
  }
  out.tag(5, LENGTH_DELIMITED);
  out.string(span.name);
  // The proto's SpanKind counts from SPAN_KIND_UNSPECIFIED = 0; the API's from INTERNAL = 0.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    out.tag(6, VARINT);
    out.varint(kind);
  }
  out.tag(7, FIXED64);
  out.hrTime(span.startTime);
  out.tag(8, FIXED64);
  out.hrTime(span.endTime);
  if (span.attributes) writeAttributes(out, span.attributes, 9);
  out.tag(10, VARINT);
  out.varint(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(out, event);
  out.tag(12, VARINT);
  out.varint(span.droppedEventsCount);
  for (const link of span.links) writeLink(out, link);
  out.tag(14, VARINT);
  out.varint(span.droppedLinksCount);
  writeStatus(out, span.status);
  out.tag(16, FIXED32);
  out.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
  out.end(start);
}

function writeScope(out: ProtobufBuffer, scope: InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number }): void {
  out.tag(1, LENGTH_DELIMITED);
  const start = out.begin();
  out.tag(1, LENGTH_DELIMITED);
  out.string(scope.name);
  if (scope.version) {
    out.tag(2, LENGTH_DELIMITED);
    out.string(scope.version);
  }
  if (scope.attributes) writeAttributes(out, scope.attributes, 3);
  if (scope.droppedAttributesCount) {
    out.tag(4, VARINT);
    out.varint(scope.droppedAttributesCount);
  }
  out.end(start);
}

function writeResource(out: ProtobufBuffer, resource: Resource): void {
  out.tag(1, LENGTH_DELIMITED);
  const start = out.begin();
  if (resource.attributes) writeAttributes(out, resource.attributes, 1);
  out.tag(2, VARINT);
  out.varint(0);
  out.end(start);
}

type ScopeGroups = Map<InstrumentationScope, ProtobufBuffer>;

/**
 * One ExportTraceServiceRequest, built a span at a time: each span is encoded when it is added,
 * into the bytes of its Resource and scope object (first-seen order, as the SDK groups them), and
 * finish() wraps those bytes in their ResourceSpans and ScopeSpans. A span added here can be
 * collected at once: the batch holds its bytes only.
 */
export class SpanBatchEncoder {
  private readonly groups = new Map<Resource, ScopeGroups>();
  private lastResource: Resource | undefined;
  private lastScope: InstrumentationScope | undefined;
  private lastGroup: ProtobufBuffer | undefined;
  private spanCount = 0;
  private spanBytes = 0;

  /** Spans added so far. */
  get count(): number {
    return this.spanCount;
  }

  /** Bytes of the spans added so far. */
  get byteLength(): number {
    return this.spanBytes;
  }

  /** Encodes `span` into the batch. When encoding throws, the batch is left as it was and the error is rethrown. */
  add(span: ReadableSpan): void {
    const group = this.groupOf(span.resource, span.instrumentationScope);
    const before = group.pos;
    try {
      writeSpan(group, span);
    } catch (error) {
      group.pos = before;
      throw error;
    }
    this.spanBytes += group.pos - before;
    this.spanCount++;
  }

  /** The request's bytes. The encoder is spent afterwards. */
  finish(): Uint8Array {
    const out = new ProtobufBuffer(this.spanBytes + 1024);
    for (const [resource, byScope] of this.groups) {
      out.tag(1, LENGTH_DELIMITED);
      const resourceSpans = out.begin();
      writeResource(out, resource);
      for (const [scope, spans] of byScope) {
        out.tag(2, LENGTH_DELIMITED);
        const scopeSpans = out.begin();
        writeScope(out, scope);
        out.append(spans);
        if (scope.schemaUrl) {
          out.tag(3, LENGTH_DELIMITED);
          out.string(scope.schemaUrl);
        }
        out.end(scopeSpans);
      }
      if (resource.schemaUrl) {
        out.tag(3, LENGTH_DELIMITED);
        out.string(resource.schemaUrl);
      }
      out.end(resourceSpans);
    }
    this.groups.clear();
    this.lastGroup = undefined;
    return out.view();
  }

  private groupOf(resource: Resource, scope: InstrumentationScope): ProtobufBuffer {
    // Consecutive spans mostly share their resource and scope.
    if (this.lastGroup !== undefined && resource === this.lastResource && scope === this.lastScope) return this.lastGroup;
    let byScope = this.groups.get(resource);
    if (byScope === undefined) {
      byScope = new Map();
      this.groups.set(resource, byScope);
    }
    let group = byScope.get(scope);
    if (group === undefined) {
      group = new ProtobufBuffer(INITIAL_GROUP_BYTES);
      byScope.set(scope, group);
    }
    this.lastResource = resource;
    this.lastScope = scope;
    this.lastGroup = group;
    return group;
  }
}

/** Encodes ExportTraceServiceRequest messages from whole batches of spans. */
export class OtlpTraceEncoder {
  encode(spans: readonly ReadableSpan[]): Uint8Array {
    const batch = new SpanBatchEncoder();
    for (const span of spans) batch.add(span);
    return batch.finish();
  }
}
