// Decoding of OTLP/HTTP trace export requests into one normalised span shape, for the built-in
// collector and the test receiver. Both encodings land in the same shape, so a test can compare them directly:
// - application/json: the OTLP/JSON mapping (hex ids, lowerCamelCase keys, enums as integers,
//   64-bit integers as strings or numbers);
// - application/x-protobuf: decoded here with a small protobuf wire-format reader and the field
//   numbers of opentelemetry/proto/trace/v1 (ExportTraceServiceRequest and what it contains).

/** An attribute value: int64 becomes a number when it is a safe integer, else a decimal string; bytes become base64. */
export type ReceivedValue = string | number | boolean | null | ReceivedValue[] | { [key: string]: ReceivedValue };
export type ReceivedAttributes = Record<string, ReceivedValue>;

export interface ReceivedEvent {
  name: string;
  timeUnixNano: string;
  attributes: ReceivedAttributes;
}

export interface ReceivedLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: ReceivedAttributes;
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  /** OTLP span flags: W3C trace flags in the low byte, is-remote bits above. */
  flags: number;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: ReceivedAttributes;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  events: ReceivedEvent[];
  links: ReceivedLink[];
  resource: ReceivedAttributes;
  scope: { name: string; version?: string };
}

/** One export request as the receiver logged it (GET /requests). */
export interface ReceivedRequest {
  contentType: string;
  contentEncoding: string;
  /** Request headers, names lowercase. */
  headers: Record<string, string>;
  spanCount: number;
  status: number;
  /** Body size on the wire (compressed when gzip). */
  bytes: number;
}

/** How the receiver answers exports (POST /control); {} is normal service. */
export interface ReceiverBehaviour {
  /** Answer with this HTTP status instead of storing the spans. */
  status?: number;
  /** Only for the next `times` exports; every export while unset. */
  times?: number;
  /** Delay every answer by this long. */
  delayMs?: number;
  /** Sent as Retry-After with an imposed status. */
  retryAfterSeconds?: number;
}

export class DecodeError extends Error {}

// ---------------------------------------------------------------------------------------------
// Shared helpers

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Sets an own property even for keys such as "__proto__", which plain assignment would not store. */
function setAttribute(attributes: ReceivedAttributes, key: string, value: ReceivedValue): void {
  Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
}

function int64ToValue(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

// ---------------------------------------------------------------------------------------------
// JSON

type Json = unknown;

function obj(value: Json): Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, Json>) : {};
}

function arr(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}

function str(value: Json): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: Json): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value))) return Number(value);
  return 0;
}

const SPAN_KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

function enumValue(value: Json, names: string[]): number {
  if (typeof value === 'string' && names.includes(value)) return names.indexOf(value);
  return num(value);
}

function nanos(value: Json): string {
  if (typeof value === 'number') return BigInt(Math.trunc(value)).toString();
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value).toString();
  return '0';
}

function jsonAnyValue(value: Json): ReceivedValue {
  const any = obj(value);
  if ('stringValue' in any) return str(any.stringValue) ?? '';
  if ('boolValue' in any) return any.boolValue === true;
  if ('intValue' in any) {
    const raw = any.intValue;
    return int64ToValue(BigInt(typeof raw === 'number' ? Math.trunc(raw) : typeof raw === 'string' && raw !== '' ? raw : 0));
  }
  if ('doubleValue' in any) return num(any.doubleValue);
  if ('arrayValue' in any) return arr(obj(any.arrayValue).values).map(jsonAnyValue);
  if ('kvlistValue' in any) return jsonAttributes(obj(any.kvlistValue).values);
  if ('bytesValue' in any) return str(any.bytesValue) ?? '';
  return null;
}

function jsonAttributes(list: Json): ReceivedAttributes {
  const attributes: ReceivedAttributes = {};
  for (const entry of arr(list)) {
    const key = str(obj(entry).key);
    if (key !== undefined) setAttribute(attributes, key, jsonAnyValue(obj(entry).value));
  }
  return attributes;
}

function jsonSpan(raw: Json, resource: ReceivedAttributes, scope: ReceivedSpan['scope']): ReceivedSpan {
  const span = obj(raw);
  const status = obj(span.status);
  return {
    traceId: (str(span.traceId) ?? '').toLowerCase(),
    spanId: (str(span.spanId) ?? '').toLowerCase(),
    parentSpanId: nonEmpty(str(span.parentSpanId)?.toLowerCase()),
    traceState: nonEmpty(str(span.traceState)),
    flags: num(span.flags),
    name: str(span.name) ?? '',
    kind: enumValue(span.kind, SPAN_KIND_NAMES),
    startTimeUnixNano: nanos(span.startTimeUnixNano),
    endTimeUnixNano: nanos(span.endTimeUnixNano),
    attributes: jsonAttributes(span.attributes),
    status: withMessage(enumValue(status.code, STATUS_CODE_NAMES), str(status.message)),
    events: arr(span.events).map((event) => ({
      name: str(obj(event).name) ?? '',
      timeUnixNano: nanos(obj(event).timeUnixNano),
      attributes: jsonAttributes(obj(event).attributes),
    })),
    links: arr(span.links).map((link) => withTraceState(
      {
        traceId: (str(obj(link).traceId) ?? '').toLowerCase(),
        spanId: (str(obj(link).spanId) ?? '').toLowerCase(),
        attributes: jsonAttributes(obj(link).attributes),
      },
      str(obj(link).traceState),
    )),
    resource,
    scope,
  };
}

function withMessage(code: number, message: string | undefined): ReceivedSpan['status'] {
  return nonEmpty(message) === undefined ? { code } : { code, message };
}

function withTraceState(link: ReceivedLink, traceState: string | undefined): ReceivedLink {
  const value = nonEmpty(traceState);
  return value === undefined ? link : { ...link, traceState: value };
}

function scopeOf(name: string | undefined, version: string | undefined): ReceivedSpan['scope'] {
  const v = nonEmpty(version);
  return v === undefined ? { name: name ?? '' } : { name: name ?? '', version: v };
}

function dropUndefined(span: ReceivedSpan): ReceivedSpan {
  if (span.parentSpanId === undefined) delete span.parentSpanId;
  if (span.traceState === undefined) delete span.traceState;
  return span;
}

/** Spans of an OTLP/JSON ExportTraceServiceRequest. Throws DecodeError on text that is not JSON. */
export function decodeJsonRequest(body: string): ReceivedSpan[] {
  let request: Json;
  try {
    request = JSON.parse(body);
  } catch (error) {
    throw new DecodeError(`body is not JSON: ${(error as Error).message}`);
  }
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of arr(obj(request).resourceSpans)) {
    const resource = jsonAttributes(obj(obj(resourceSpans).resource).attributes);
    for (const scopeSpans of arr(obj(resourceSpans).scopeSpans)) {
      const scope = obj(obj(scopeSpans).scope);
      const scopeInfo = scopeOf(str(scope.name), str(scope.version));
      for (const span of arr(obj(scopeSpans).spans)) spans.push(dropUndefined(jsonSpan(span, resource, scopeInfo)));
    }
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Reads one message's fields: varints, fixed32/64 and length-delimited values. */
class WireReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Next field: its number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.smallVarint();
    return { field: Math.floor(key / 8), wire: key % 8 };
  }

  /** A varint known to be small (tags, lengths, enums): plain number arithmetic, no BigInt. */
  smallVarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new DecodeError('truncated varint');
      const byte = this.buf[this.pos++];
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new DecodeError('varint too large for a tag or a length');
  }

  /** A full 64-bit varint (int64 values). */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new DecodeError('truncated varint');
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new DecodeError('varint longer than 10 bytes');
    }
  }

  fixed32(): number {
    this.need(4);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  fixed64(): bigint {
    this.need(8);
    const value = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return value;
  }

  double(): number {
    this.need(8);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** A length-delimited value as a reader over its bytes. */
  message(): WireReader {
    const length = this.smallVarint();
    this.need(length);
    const reader = new WireReader(this.buf, this.pos, this.pos + length);
    this.pos += length;
    return reader;
  }

  bytes(): Buffer {
    const length = this.smallVarint();
    this.need(length);
    const value = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_LENGTH_DELIMITED:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new DecodeError(`unsupported wire type ${wire}`);
    }
  }

  private need(count: number): void {
    if (count < 0 || this.pos + count > this.end) throw new DecodeError('truncated message');
  }
}

/** Calls `onField` for every field; the handler consumes the value or returns false to skip it. */
function eachField(reader: WireReader, onField: (field: number, wire: number) => boolean): void {
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (!onField(field, wire)) reader.skip(wire);
  }
}

// opentelemetry.proto.common.v1.AnyValue
function protoAnyValue(reader: WireReader): ReceivedValue {
  let value: ReceivedValue = null;
  eachField(reader, (field, wire) => {
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) value = reader.string();
    else if (field === 2 && wire === WIRE_VARINT) value = reader.varint() !== 0n;
    else if (field === 3 && wire === WIRE_VARINT) value = int64ToValue(BigInt.asIntN(64, reader.varint()));
    else if (field === 4 && wire === WIRE_FIXED64) value = reader.double();
    else if (field === 5 && wire === WIRE_LENGTH_DELIMITED) value = protoArrayValue(reader.message());
    else if (field === 6 && wire === WIRE_LENGTH_DELIMITED) value = protoKeyValueList(reader.message());
    else if (field === 7 && wire === WIRE_LENGTH_DELIMITED) value = reader.bytes().toString('base64');
    else return false;
    return true;
  });
  return value;
}

// ArrayValue { repeated AnyValue values = 1; }
function protoArrayValue(reader: WireReader): ReceivedValue[] {
  const values: ReceivedValue[] = [];
  eachField(reader, (field, wire) => {
    if (field !== 1 || wire !== WIRE_LENGTH_DELIMITED) return false;
    values.push(protoAnyValue(reader.message()));
    return true;
  });
  return values;
}

// KeyValueList { repeated KeyValue values = 1; }
function protoKeyValueList(reader: WireReader): ReceivedAttributes {
  const attributes: ReceivedAttributes = {};
  eachField(reader, (field, wire) => {
    if (field !== 1 || wire !== WIRE_LENGTH_DELIMITED) return false;
    addKeyValue(attributes, reader.message());
    return true;
  });
  return attributes;
}

// KeyValue { string key = 1; AnyValue value = 2; }
function addKeyValue(attributes: ReceivedAttributes, reader: WireReader): void {
  let key = '';
  let value: ReceivedValue = null;
  eachField(reader, (field, wire) => {
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) key = reader.string();
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) value = protoAnyValue(reader.message());
    else return false;
    return true;
  });
  setAttribute(attributes, key, value);
}

function hex(bytes: Buffer): string {
  return bytes.toString('hex');
}

// Span.Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
function protoEvent(reader: WireReader): ReceivedEvent {
  const event: ReceivedEvent = { name: '', timeUnixNano: '0', attributes: {} };
  eachField(reader, (field, wire) => {
    if (field === 1 && wire === WIRE_FIXED64) event.timeUnixNano = reader.fixed64().toString();
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) event.name = reader.string();
    else if (field === 3 && wire === WIRE_LENGTH_DELIMITED) addKeyValue(event.attributes, reader.message());
    else return false;
    return true;
  });
  return event;
}

// Span.Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; }
function protoLink(reader: WireReader): ReceivedLink {
  const link: ReceivedLink = { traceId: '', spanId: '', attributes: {} };
  let traceState: string | undefined;
  eachField(reader, (field, wire) => {
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) link.traceId = hex(reader.bytes());
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) link.spanId = hex(reader.bytes());
    else if (field === 3 && wire === WIRE_LENGTH_DELIMITED) traceState = reader.string();
    else if (field === 4 && wire === WIRE_LENGTH_DELIMITED) addKeyValue(link.attributes, reader.message());
    else return false;
    return true;
  });
  return withTraceState(link, traceState);
}

// Status { string message = 2; StatusCode code = 3; }
function protoStatus(reader: WireReader): ReceivedSpan['status'] {
  let code = 0;
  let message: string | undefined;
  eachField(reader, (field, wire) => {
    if (field === 2 && wire === WIRE_LENGTH_DELIMITED) message = reader.string();
    else if (field === 3 && wire === WIRE_VARINT) code = reader.smallVarint();
    else return false;
    return true;
  });
  return withMessage(code, message);
}

// Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6,
// start_time_unix_nano 7, end_time_unix_nano 8, attributes 9, events 11, links 13, status 15, flags 16.
function protoSpan(reader: WireReader, resource: ReceivedAttributes, scope: ReceivedSpan['scope']): ReceivedSpan {
  const span: ReceivedSpan = {
    traceId: '',
    spanId: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: {},
    status: { code: 0 },
    events: [],
    links: [],
    resource,
    scope,
  };
  eachField(reader, (field, wire) => {
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) span.traceId = hex(reader.bytes());
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) span.spanId = hex(reader.bytes());
    else if (field === 3 && wire === WIRE_LENGTH_DELIMITED) span.traceState = nonEmpty(reader.string());
    else if (field === 4 && wire === WIRE_LENGTH_DELIMITED) span.parentSpanId = nonEmpty(hex(reader.bytes()));
    else if (field === 5 && wire === WIRE_LENGTH_DELIMITED) span.name = reader.string();
    else if (field === 6 && wire === WIRE_VARINT) span.kind = reader.smallVarint();
    else if (field === 7 && wire === WIRE_FIXED64) span.startTimeUnixNano = reader.fixed64().toString();
    else if (field === 8 && wire === WIRE_FIXED64) span.endTimeUnixNano = reader.fixed64().toString();
    else if (field === 9 && wire === WIRE_LENGTH_DELIMITED) addKeyValue(span.attributes, reader.message());
    else if (field === 11 && wire === WIRE_LENGTH_DELIMITED) span.events.push(protoEvent(reader.message()));
    else if (field === 13 && wire === WIRE_LENGTH_DELIMITED) span.links.push(protoLink(reader.message()));
    else if (field === 15 && wire === WIRE_LENGTH_DELIMITED) span.status = protoStatus(reader.message());
    else if (field === 16 && wire === WIRE_FIXED32) span.flags = reader.fixed32();
    else return false;
    return true;
  });
  return dropUndefined(span);
}

// InstrumentationScope { string name = 1; string version = 2; }
function protoScope(reader: WireReader): ReceivedSpan['scope'] {
  let name: string | undefined;
  let version: string | undefined;
  eachField(reader, (field, wire) => {
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) name = reader.string();
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) version = reader.string();
    else return false;
    return true;
  });
  return scopeOf(name, version);
}

// Resource { repeated KeyValue attributes = 1; }
function protoResource(reader: WireReader): ReceivedAttributes {
  const attributes: ReceivedAttributes = {};
  eachField(reader, (field, wire) => {
    if (field !== 1 || wire !== WIRE_LENGTH_DELIMITED) return false;
    addKeyValue(attributes, reader.message());
    return true;
  });
  return attributes;
}

// ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
function protoScopeSpans(reader: WireReader, resource: ReceivedAttributes, out: ReceivedSpan[]): void {
  // The scope may come after the spans on the wire: keep the spans' bytes until the end.
  let scope: ReceivedSpan['scope'] = { name: '' };
  const spanReaders: WireReader[] = [];
  eachField(reader, (field, wire) => {
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) scope = protoScope(reader.message());
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) spanReaders.push(reader.message());
    else return false;
    return true;
  });
  for (const spanReader of spanReaders) out.push(protoSpan(spanReader, resource, scope));
}

// ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
function protoResourceSpans(reader: WireReader, out: ReceivedSpan[]): void {
  let resource: ReceivedAttributes = {};
  const scopeReaders: WireReader[] = [];
  eachField(reader, (field, wire) => {
    if (field === 1 && wire === WIRE_LENGTH_DELIMITED) resource = protoResource(reader.message());
    else if (field === 2 && wire === WIRE_LENGTH_DELIMITED) scopeReaders.push(reader.message());
    else return false;
    return true;
  });
  for (const scopeReader of scopeReaders) protoScopeSpans(scopeReader, resource, out);
}

/** Spans of a protobuf ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }. */
export function decodeProtobufRequest(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  const reader = new WireReader(body);
  eachField(reader, (field, wire) => {
    if (field !== 1 || wire !== WIRE_LENGTH_DELIMITED) return false;
    protoResourceSpans(reader.message(), spans);
    return true;
  });
  return spans;
}
