// TextMapGetter / TextMapSetter pairs for the carriers Threadline meets. Getters return a single
// string for one field and a string[] for several, so a duplicated `traceparent` reaches the
// parser as two fields (and is rejected) while `tracestate` and `baggage` fields are combined.
import type { IncomingMessage, OutgoingMessage } from 'node:http';
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { TraceCarrier } from '../model';

/** Plain header maps: Node-RED msg.headers, axios headers, http.request options.headers. */
export type HeaderMap = Record<string, string | string[] | undefined>;

/** Kafka message headers, AMQP `properties.headers`: values are strings or Buffers. */
export type MessageHeaders = Record<string, string | Uint8Array | (string | Uint8Array)[] | undefined>;

/** MQTT v5 user properties. */
export type MqttUserProperties = Record<string, string | string[]>;

/** The part of the WHATWG `Headers` class (fetch) used here. */
export interface FetchHeaders {
  get(name: string): string | null;
  set(name: string, value: string): void;
  forEach(callback: (value: string, name: string) => void): void;
}

type ToText = (value: unknown) => string | undefined;

const stringOnly: ToText = (value) => (typeof value === 'string' ? value : undefined);

const stringOrNumber: ToText = (value) =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const stringOrBytes: ToText = (value) => {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return undefined;
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Every field named `name` (ASCII case-insensitive) in key order, array values flattened: one
 * string, several as string[], or undefined.
 */
function collectFields(map: unknown, name: string, toText: ToText): string | string[] | undefined {
  if (!isObject(map)) return undefined;
  const wanted = name.toLowerCase();
  let first: string | undefined;
  let all: string[] | undefined;
  for (const key of Object.keys(map)) {
    if (key.length !== wanted.length || (key !== wanted && key.toLowerCase() !== wanted)) continue;
    const raw = map[key];
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      const text = toText(item);
      if (text === undefined) continue;
      if (first === undefined) first = text;
      else if (all === undefined) all = [first, text];
      else all.push(text);
    }
  }
  return all ?? first;
}

function objectKeys(map: unknown): string[] {
  return isObject(map) ? Object.keys(map) : [];
}

/** Set `name` in lowercase, removing differently-cased copies so one field remains. */
function setField(map: unknown, name: string, value: string): void {
  if (!isObject(map)) return;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(map)) {
    if (key !== wanted && key.length === wanted.length && key.toLowerCase() === wanted) delete map[key];
  }
  map[wanted] = value;
}

export const headerMapGetter: TextMapGetter<HeaderMap> = {
  get: (carrier, key) => collectFields(carrier, key, stringOrNumber),
  keys: objectKeys,
};

export const headerMapSetter: TextMapSetter<HeaderMap> = {
  set: setField,
};

/**
 * For header maps whose names are all lower-case by construction (the interceptor's upstream
 * headers): no other spelling of the name can be present, so the scan of every key is skipped.
 */
export const lowerCaseHeaderMapSetter: TextMapSetter<HeaderMap> = {
  set(map, name, value) {
    if (isObject(map)) map[name.toLowerCase()] = value;
  },
};

/**
 * Every value of the field `lowerName` (ASCII case-insensitive) in node's raw header list
 * (`[name, value, name, value, …]`, as received): one string, several as string[], or undefined.
 */
export function rawHeaderFields(rawHeaders: readonly string[], lowerName: string): string | string[] | undefined {
  let first: string | undefined;
  let all: string[] | undefined;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length !== lowerName.length || (name !== lowerName && name.toLowerCase() !== lowerName)) continue;
    const value = rawHeaders[index + 1]!;
    if (first === undefined) first = value;
    else if (all === undefined) all = [first, value];
    else all.push(value);
  }
  return all ?? first;
}

/**
 * The fields named in `lowerNames` (lower-case), read from node's raw header list: a header record
 * with a string per field, or a string[] when the field was repeated.
 */
export function rawHeaderRecord(rawHeaders: readonly string[], lowerNames: readonly string[]): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const name of lowerNames) {
    const values = rawHeaderFields(rawHeaders, name);
    if (values !== undefined) record[name] = values;
  }
  return record;
}

/** The distinct lower-case field names of node's raw header list, in order. */
function rawHeaderNames(rawHeaders: readonly string[]): string[] {
  const names = new Set<string>();
  for (let index = 0; index < rawHeaders.length; index += 2) names.add(rawHeaders[index]!.toLowerCase());
  return [...names];
}

/**
 * Node's IncomingMessage, read from its raw header list: repeated fields stay apart (where
 * `headers` would join two traceparent fields with ", ", still rejected as malformed), and node's
 * `headers` and `headersDistinct` objects, built on first use, are not built for this (building
 * `headersDistinct` cost about a microsecond a request). Objects without a raw header list (test
 * doubles) are read through `headersDistinct`, else `headers`.
 */
export const incomingMessageGetter: TextMapGetter<IncomingMessage> = {
  get(request, key) {
    const name = key.toLowerCase();
    const raw = request?.rawHeaders;
    if (Array.isArray(raw)) return rawHeaderFields(raw, name);
    const distinct = request?.headersDistinct;
    if (distinct === undefined || distinct === null) return collectFields(request?.headers, name, stringOnly);
    const values = distinct[name];
    if (values === undefined || values.length === 0) return undefined;
    return values.length === 1 ? values[0] : values;
  },
  keys: (request) => (Array.isArray(request?.rawHeaders) ? rawHeaderNames(request.rawHeaders) : objectKeys(request?.headers)),
};

/** Node's ClientRequest or ServerResponse; does nothing once the headers are sent. */
export const outgoingMessageSetter: TextMapSetter<OutgoingMessage> = {
  set(message, key, value) {
    if (message && !message.headersSent) message.setHeader(key, value);
  },
};

/** fetch `Headers`. Its get() joins repeated fields with ", ", which a traceparent cannot survive. */
export const fetchHeadersGetter: TextMapGetter<FetchHeaders> = {
  get(headers, key) {
    return headers?.get(key) ?? undefined;
  },
  keys(headers) {
    const names: string[] = [];
    headers?.forEach((_value, name) => names.push(name));
    return names;
  },
};

export const fetchHeadersSetter: TextMapSetter<FetchHeaders> = {
  set(headers, key, value) {
    headers?.set(key, value);
  },
};

/** Message headers with string or Buffer values (Kafka, AMQP); written as strings. */
export const messageHeadersGetter: TextMapGetter<MessageHeaders> = {
  get: (carrier, key) => collectFields(carrier, key, stringOrBytes),
  keys: objectKeys,
};

export const messageHeadersSetter: TextMapSetter<MessageHeaders> = {
  set: setField,
};

export const mqttUserPropertiesGetter: TextMapGetter<MqttUserProperties> = {
  get: (carrier, key) => collectFields(carrier, key, stringOnly),
  keys: objectKeys,
};

export const mqttUserPropertiesSetter: TextMapSetter<MqttUserProperties> = {
  set: setField,
};

export const DEFAULT_ENVELOPE_FIELD = '_trace';

const TRACE_CARRIER_FIELDS: ReadonlySet<string> = new Set<keyof TraceCarrier>(['traceparent', 'tracestate', 'baggage']);

/**
 * A JSON object that carries its context in one property (default `_trace`) holding a
 * TraceCarrier. The setter writes only the three TraceCarrier fields; other formats (B3) have no
 * place in it.
 */
export function jsonEnvelopeCarrier(field: string = DEFAULT_ENVELOPE_FIELD): {
  getter: TextMapGetter<Record<string, unknown>>;
  setter: TextMapSetter<Record<string, unknown>>;
} {
  return {
    getter: {
      get: (envelope, key) => collectFields(isObject(envelope) ? envelope[field] : undefined, key, stringOnly),
      keys: (envelope) => objectKeys(isObject(envelope) ? envelope[field] : undefined),
    },
    setter: {
      set(envelope, key, value) {
        const name = key.toLowerCase();
        if (!isObject(envelope) || !TRACE_CARRIER_FIELDS.has(name)) return;
        let carrier = envelope[field];
        if (!isObject(carrier) || Array.isArray(carrier)) {
          carrier = {};
          envelope[field] = carrier;
        }
        (carrier as Record<string, unknown>)[name] = value;
      },
    },
  };
}
