import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TextMapGetter } from '@opentelemetry/api';
import { AxiosHeaders } from 'axios';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { HeaderMap, MessageHeaders, MqttUserProperties } from '../../src/propagation';
import {
  DEFAULT_ENVELOPE_FIELD,
  extractCarrier,
  fetchHeadersGetter,
  fetchHeadersSetter,
  headerMapGetter,
  headerMapSetter,
  incomingMessageGetter,
  lowerCaseHeaderMapSetter,
  rawHeaderFields,
  rawHeaderRecord,
  injectCarrier,
  jsonEnvelopeCarrier,
  messageHeadersGetter,
  messageHeadersSetter,
  mqttUserPropertiesGetter,
  mqttUserPropertiesSetter,
  outgoingMessageSetter,
  TraceContextPropagator,
} from '../../src/propagation';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TP2 = '00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-01';
const CARRIER = { traceparent: TP, tracestate: 'a=1,b=2', baggage: 'k=v' };

describe('IncomingMessage (real HTTP on loopback)', () => {
  let server: http.Server;
  let port: number;
  const seen: Array<{ traceparent: unknown; tracestate: unknown; baggage: unknown; keys: string[]; carrier: unknown }> = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      seen.push({
        traceparent: incomingMessageGetter.get(request, 'traceparent'),
        tracestate: incomingMessageGetter.get(request, 'TraceState'),
        baggage: incomingMessageGetter.get(request, 'baggage'),
        keys: incomingMessageGetter.keys(request),
        carrier: extractCarrier(request, incomingMessageGetter),
      });
      // the outgoing side: write our headers on the response
      injectCarrier(CARRIER, response, outgoingMessageSetter);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function send(rawHeaders: string[]): Promise<http.IncomingHttpHeaders> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path: '/', headers: ['host', `127.0.0.1:${port}`, 'connection', 'close', ...rawHeaders] },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.headers));
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  test('one field is a string; repeated fields stay separate', async () => {
    const responseHeaders = await send(['TraceParent', TP, 'tracestate', 'a=1', 'TRACESTATE', 'b=2', 'baggage', 'k=v']);
    const last = seen[seen.length - 1];
    expect(last.traceparent).toBe(TP);
    expect(last.tracestate).toEqual(['a=1', 'b=2']);
    expect(last.baggage).toBe('k=v');
    expect(last.keys).toEqual(['host', 'connection', 'traceparent', 'tracestate', 'baggage']);
    expect(last.carrier).toEqual(CARRIER);
    expect(responseHeaders.traceparent).toBe(TP);
    expect(responseHeaders.tracestate).toBe('a=1,b=2');
  });

  test('two traceparent fields reach the parser as two and are rejected', async () => {
    await send(['traceparent', TP, 'traceparent', TP]);
    const last = seen[seen.length - 1];
    expect(last.traceparent).toEqual([TP, TP]);
    expect(last.carrier).toBeUndefined();
  });

  test('absent headers are undefined', async () => {
    await send([]);
    expect(seen[seen.length - 1].traceparent).toBeUndefined();
  });

  test("node's raw header list is read as received, case-insensitively, one value per field", () => {
    const raw = ['Host', 'a.example', 'TraceParent', TP, 'tracestate', 'a=1', 'TRACESTATE', 'b=2', 'Content-Length', '0'];
    expect(rawHeaderFields(raw, 'traceparent')).toBe(TP);
    expect(rawHeaderFields(raw, 'tracestate')).toEqual(['a=1', 'b=2']);
    expect(rawHeaderFields(raw, 'baggage')).toBeUndefined();
    expect(rawHeaderFields([], 'host')).toBeUndefined();
    expect(rawHeaderRecord(raw, ['host', 'tracestate', 'user-agent'])).toEqual({ host: 'a.example', tracestate: ['a=1', 'b=2'] });
  });

  test('a request object without a raw header list falls back to headersDistinct, then headers', () => {
    expect(incomingMessageGetter.get({ headersDistinct: { traceparent: [TP, TP2] }, headers: {} } as never, 'traceparent')).toEqual([TP, TP2]);
    expect(incomingMessageGetter.get({ headers: { traceparent: TP } } as never, 'TraceParent')).toBe(TP);
    expect(incomingMessageGetter.get({} as never, 'traceparent')).toBeUndefined();
  });

  test('outgoingMessageSetter does nothing once headers are sent', () => {
    const message = { headersSent: true, setHeader: jest.fn() };
    outgoingMessageSetter.set(message as never, 'traceparent', TP);
    expect(message.setHeader).not.toHaveBeenCalled();
  });
});

describe('plain header maps', () => {
  test('lookup is case-insensitive; differently-cased copies are several fields', () => {
    const headers: HeaderMap = { TraceParent: TP, tracestate: ['a=1', 'b=2'], 'content-length': '3' };
    expect(headerMapGetter.get(headers, 'traceparent')).toBe(TP);
    expect(headerMapGetter.get(headers, 'TRACESTATE')).toEqual(['a=1', 'b=2']);
    expect(headerMapGetter.get({ traceparent: TP, TRACEPARENT: TP2 }, 'traceparent')).toEqual([TP, TP2]);
    expect(extractCarrier({ traceparent: TP, TRACEPARENT: TP2 }, headerMapGetter)).toBeUndefined();
    expect(headerMapGetter.get(headers, 'baggage')).toBeUndefined();
    expect(headerMapGetter.keys(headers)).toEqual(['TraceParent', 'tracestate', 'content-length']);
  });

  test('numbers are read as text, other values are ignored', () => {
    expect(headerMapGetter.get({ 'x-n': 5 } as never, 'x-n')).toBe('5');
    expect(headerMapGetter.get({ traceparent: { nested: true } } as never, 'traceparent')).toBeUndefined();
    expect(headerMapGetter.get(null as never, 'traceparent')).toBeUndefined();
    expect(headerMapGetter.keys(undefined as never)).toEqual([]);
  });

  test('the setter writes lowercase and replaces differently-cased copies', () => {
    const headers: HeaderMap = { TraceParent: 'old', other: 'x' };
    headerMapSetter.set(headers, 'traceparent', TP);
    expect(headers).toEqual({ other: 'x', traceparent: TP });
  });

  test('the lower-case setter writes the lower-case name and leaves the other keys alone', () => {
    const headers: HeaderMap = { other: 'x', traceparent: 'old' };
    lowerCaseHeaderMapSetter.set(headers, 'TraceParent', TP);
    expect(headers).toEqual({ other: 'x', traceparent: TP });
  });
});

describe('axios headers', () => {
  test('an AxiosHeaders object works as a plain header map', () => {
    const headers = new AxiosHeaders({ TraceParent: TP, 'Content-Type': 'application/json' });
    expect(extractCarrier(headers as unknown as HeaderMap, headerMapGetter)).toEqual({ traceparent: TP });
    const outgoing = new AxiosHeaders({ TRACEPARENT: 'stale' });
    injectCarrier(CARRIER, outgoing as unknown as HeaderMap, headerMapSetter);
    expect(outgoing.get('traceparent')).toBe(TP);
    expect(outgoing.get('tracestate')).toBe('a=1,b=2');
    expect(Object.keys(outgoing.toJSON()).filter((name) => name.toLowerCase() === 'traceparent')).toEqual(['traceparent']);
  });
});

describe('fetch Headers', () => {
  test('reads and writes; repeated traceparent fields are joined by Headers and so rejected', () => {
    const headers = new Headers({ traceparent: TP, tracestate: 'a=1' });
    headers.append('tracestate', 'b=2');
    expect(extractCarrier(headers, fetchHeadersGetter)).toEqual({ traceparent: TP, tracestate: 'a=1,b=2' });
    expect(fetchHeadersGetter.keys(headers)).toEqual(['traceparent', 'tracestate']);
    headers.append('traceparent', TP2);
    expect(extractCarrier(headers, fetchHeadersGetter)).toBeUndefined();

    const outgoing = new Headers();
    injectCarrier(CARRIER, outgoing, fetchHeadersSetter);
    expect(outgoing.get('traceparent')).toBe(TP);
    expect(outgoing.get('baggage')).toBe('k=v');
  });
});

describe('message headers (Kafka, AMQP)', () => {
  test('Buffer and string values, arrays of them; written as strings', () => {
    const headers: MessageHeaders = {
      traceparent: Buffer.from(TP),
      tracestate: [Buffer.from('a=1'), 'b=2'],
      baggage: new Uint8Array(Buffer.from('k=v')),
      'x-retry': undefined,
    };
    expect(extractCarrier(headers, messageHeadersGetter)).toEqual(CARRIER);
    const out: MessageHeaders = {};
    injectCarrier(CARRIER, out, messageHeadersSetter);
    expect(out).toEqual(CARRIER);
  });

  test('AMQP headers may hold other types; they are ignored', () => {
    expect(messageHeadersGetter.get({ traceparent: 42, tracestate: { a: 1 } } as never, 'traceparent')).toBeUndefined();
  });
});

describe('MQTT v5 user properties', () => {
  test('read and written like headers', () => {
    const properties: MqttUserProperties = { traceparent: TP, tracestate: ['a=1', 'b=2'] };
    expect(extractCarrier(properties, mqttUserPropertiesGetter)).toEqual({ traceparent: TP, tracestate: 'a=1,b=2' });
    const out: MqttUserProperties = { traceparent: 'stale' };
    injectCarrier(CARRIER, out, mqttUserPropertiesSetter);
    expect(out).toEqual(CARRIER);
  });
});

describe('JSON envelope', () => {
  test('reads and writes the TraceCarrier held in `_trace` (or another field)', () => {
    const { getter, setter } = jsonEnvelopeCarrier();
    const message = { payload: 1, [DEFAULT_ENVELOPE_FIELD]: CARRIER };
    expect(extractCarrier(message, getter)).toEqual(CARRIER);

    const out: Record<string, unknown> = { payload: 2 };
    injectCarrier(CARRIER, out, setter);
    expect(out).toEqual({ payload: 2, _trace: CARRIER });

    const custom = jsonEnvelopeCarrier('ctx');
    const other: Record<string, unknown> = { ctx: 'not an object' };
    injectCarrier(CARRIER, other, custom.setter);
    expect(other.ctx).toEqual(CARRIER);
    expect(custom.getter.keys(other)).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  test('writes only the TraceCarrier fields, reads nothing from a missing envelope', () => {
    const { getter, setter } = jsonEnvelopeCarrier();
    const out: Record<string, unknown> = {};
    setter.set(out, 'b3', 'x');
    expect(out).toEqual({});
    setter.set(null as never, 'traceparent', TP);
    expect(getter.get({}, 'traceparent')).toBeUndefined();
    expect(getter.get(null as never, 'traceparent')).toBeUndefined();
  });

  test('works with any propagator', () => {
    const { getter } = jsonEnvelopeCarrier();
    const context = new TraceContextPropagator().extract(ROOT_CONTEXT, { _trace: CARRIER }, getter as TextMapGetter);
    expect(trace.getSpanContext(context)?.spanId).toBe('00f067aa0ba902b7');
  });
});
