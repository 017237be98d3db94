// A minimal traced "service" for the W3C Trace Context conformance cases: it reads the incoming
// headers with the propagator under test, gives each outgoing call its own child span (or a new
// trace when nothing valid arrived), and returns the headers each outgoing call would carry.
// It runs either on a plain header map or behind a real HTTP server on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpanContext, TextMapGetter } from '@opentelemetry/api';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { HeaderMap } from '../../../src/propagation';
import {
  FLAG_RANDOM,
  W3C_PROPAGATION,
  createPropagator,
  headerMapGetter,
  headerMapSetter,
  incomingMessageGetter,
  newSpanId,
  newTraceId,
} from '../../../src/propagation';

export type HeaderField = [name: string, value: string];
export type OutgoingHeaders = Record<string, string>;

const propagator = createPropagator(W3C_PROPAGATION);

/** The service logic: extract once, then one child span per outgoing call. */
export function serviceCalls<C>(carrier: C, getter: TextMapGetter<C>, count: number): OutgoingHeaders[] {
  const context = propagator.extract(ROOT_CONTEXT, carrier, getter);
  const parent = trace.getSpanContext(context);
  // Restart: one new trace for this request, random ids, so the random flag is set.
  const restartTraceId = newTraceId();
  const calls: OutgoingHeaders[] = [];
  for (let i = 0; i < count; i++) {
    const child: SpanContext = parent
      ? { traceId: parent.traceId, spanId: newSpanId(), traceFlags: parent.traceFlags, traceState: parent.traceState, isRemote: false }
      : { traceId: restartTraceId, spanId: newSpanId(), traceFlags: FLAG_RANDOM, isRemote: false };
    const outgoing: HeaderMap = {};
    propagator.inject(trace.setSpanContext(context, child), outgoing, headerMapSetter);
    calls.push(outgoing as OutgoingHeaders);
  }
  return calls;
}

/** Header fields as a plain map: names keep their case, a repeated name becomes an array. */
export function fieldsToHeaderMap(fields: readonly HeaderField[]): HeaderMap {
  const map: HeaderMap = {};
  for (const [name, value] of fields) {
    const existing = map[name];
    if (existing === undefined) map[name] = value;
    else map[name] = ([] as string[]).concat(existing, value);
  }
  return map;
}

export interface Transport {
  name: string;
  hop(fields: readonly HeaderField[], count?: number): Promise<OutgoingHeaders[]>;
  close(): Promise<void>;
}

export function headerMapTransport(): Transport {
  return {
    name: 'a plain header map',
    hop: async (fields, count = 1) => serviceCalls(fieldsToHeaderMap(fields), headerMapGetter, count),
    close: async () => undefined,
  };
}

/**
 * A real HTTP server on 127.0.0.1 (port 0): the request carries the fields exactly as listed
 * (repeated fields stay separate on the wire) and the response body is the outgoing headers.
 */
export async function httpTransport(): Promise<Transport> {
  const server = http.createServer((request, response) => {
    const count = Number(request.headers['x-call-count'] ?? '1');
    const calls = serviceCalls(request, incomingMessageGetter, count);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(calls));
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });

  const hop = (fields: readonly HeaderField[], count = 1): Promise<OutgoingHeaders[]> =>
    new Promise((resolve, reject) => {
      const raw: string[] = ['host', `127.0.0.1:${port}`, 'x-call-count', String(count)];
      for (const [name, value] of fields) raw.push(name, value);
      const request = http.request({ host: '127.0.0.1', port, method: 'GET', path: '/', agent, headers: raw }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          try {
            resolve(JSON.parse(body) as OutgoingHeaders[]);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
      request.on('error', reject);
      request.end();
    });

  return {
    name: 'a real HTTP request',
    hop,
    close: async () => {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
