// The telemetry model as plain data. These values travel on Node-RED messages, n8n items, queue
// messages and JSON files, so they hold only strings, numbers, booleans and arrays of them: a live
// object would not survive a message clone, a worker hop or a restart. Their JSON Schemas are
// schemas/trace-carrier.schema.json and schemas/span-record.schema.json.

/** W3C context between steps: the three header values, exactly as they go on the wire. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
  baggage?: string;
}

export type SpanRecordKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type RecordAttributeValue = string | number | boolean | string[] | number[] | boolean[];

export type RecordAttributes = Record<string, RecordAttributeValue>;

export interface SpanRecordEvent {
  name: string;
  /** Nanoseconds since the Unix epoch, as a decimal string (the OTLP JSON convention). */
  timeUnixNano: string;
  attributes?: RecordAttributes;
}

/**
 * A span opened in one step and closed in another, possibly in another process. Closing it
 * produces one exported span with exactly these ids and this start time.
 */
export interface SpanRecord {
  /** Format version of this record. */
  v: 1;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** W3C trace flags of this span (sampled 0x01, random 0x02). */
  traceFlags: number;
  tracestate?: string;
  name: string;
  kind: SpanRecordKind;
  /** Nanoseconds since the Unix epoch, as a decimal string. */
  startTimeUnixNano: string;
  attributes: RecordAttributes;
  events?: SpanRecordEvent[];
  /** Instrumentation scope that opened the record, e.g. the Node-RED node package. */
  scope?: { name: string; version?: string };
}
