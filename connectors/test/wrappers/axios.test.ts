// The axios wrapper with an in-process adapter (no network): header writing, method naming,
// retries and robustness. Real-server behaviour is in test/integration/wrappers-http.test.ts.
import { SpanStatusCode } from '@opentelemetry/api';
import axios, { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { instrumentAxios } from '../../src/wrappers';
import type { TestTracing } from './support';
import { REMOTE_TRACEPARENT, createTestTracing, parseTraceparent } from './support';

function recordingAdapter(status = 200): { seen: InternalAxiosRequestConfig[]; adapter: AxiosAdapter } {
  const seen: InternalAxiosRequestConfig[] = [];
  const adapter: AxiosAdapter = async (config) => {
    seen.push(config);
    const response = { data: 'ok', status, statusText: 'x', headers: new AxiosHeaders({ 'x-reply': 'r' }), config };
    if (status >= 400) throw new AxiosError(`status ${status}`, 'ERR_BAD_RESPONSE', config, {}, response);
    return response;
  };
  return { seen, adapter };
}

function sentHeader(config: InternalAxiosRequestConfig | undefined, name: string): unknown {
  return AxiosHeaders.from(config?.headers ?? {}).get(name);
}

let tracing: TestTracing;
beforeEach(() => {
  tracing = createTestTracing();
});
afterEach(async () => {
  await tracing.shutdown();
});

describe('instrumentAxios', () => {
  it('replaces stale trace headers, whatever their case, and keeps the others', async () => {
    const { seen, adapter } = recordingAdapter();
    const client = axios.create({ adapter });
    instrumentAxios(client, tracing);
    await client.get('http://upstream.test/a', {
      headers: { TraceParent: REMOTE_TRACEPARENT, TraceState: 'stale=1', 'X-App': 'keep' },
    });
    const config = seen[0]!;
    const span = tracing.spanNamed('GET');
    expect(parseTraceparent(sentHeader(config, 'traceparent') as string).parentId).toBe(span.spanContext().spanId);
    expect(sentHeader(config, 'tracestate')).toBeUndefined();
    expect(sentHeader(config, 'x-app')).toBe('keep');
    expect(Object.keys(config.headers.toJSON()).filter((key) => key.toLowerCase() === 'traceparent')).toHaveLength(1);
  });

  it('writes into a plain headers object an earlier interceptor left behind', async () => {
    const { seen, adapter } = recordingAdapter();
    const client = axios.create({ adapter });
    instrumentAxios(client, tracing);
    // Registered later, so axios runs it first.
    client.interceptors.request.use((config) => {
      config.headers = { 'x-plain': '1' } as unknown as InternalAxiosRequestConfig['headers'];
      return config;
    });
    await client.get('http://upstream.test/p');
    expect(sentHeader(seen[0], 'traceparent')).toMatch(/^00-/);
    expect(sentHeader(seen[0], 'x-plain')).toBe('1');
  });

  it('names unknown methods HTTP and keeps the upper-cased original', async () => {
    const { adapter } = recordingAdapter();
    const client = axios.create({ adapter });
    instrumentAxios(client, tracing);
    await client.request({ url: 'http://upstream.test/', method: 'purge' });
    const span = tracing.spanNamed('HTTP');
    expect(span.attributes['http.request.method']).toBe('_OTHER');
    expect(span.attributes['http.request.method_original']).toBe('PURGE');
  });

  it('starts a fresh span when a failed config is sent again (retry)', async () => {
    const { seen, adapter } = recordingAdapter(503);
    const client = axios.create({ adapter });
    instrumentAxios(client, tracing);
    const failure = (await client.get('http://upstream.test/r').catch((error: unknown) => error)) as AxiosError;
    await client.request(failure.config!).catch(() => undefined);
    const spans = tracing.spans();
    expect(spans).toHaveLength(2);
    expect(spans.every((span) => span.status.code === SpanStatusCode.ERROR)).toBe(true);
    expect(new Set(seen.map((config) => sentHeader(config, 'traceparent'))).size).toBe(2);
  });

  it('records a failure after a good status by its code, keeping the status', async () => {
    const adapter: AxiosAdapter = async (config) => {
      throw new AxiosError('too big', 'ERR_BAD_RESPONSE', config, {}, {
        data: '',
        status: 200,
        statusText: 'OK',
        headers: new AxiosHeaders(),
        config,
      });
    };
    const client = axios.create({ adapter });
    instrumentAxios(client, tracing);
    await client.get('http://upstream.test/big').catch(() => undefined);
    const span = tracing.spanNamed('GET');
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.attributes['error.type']).toBe('ERR_BAD_RESPONSE');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('lets the request through untraced when the tracer throws, and ignores errors without config', async () => {
    const { seen, adapter } = recordingAdapter();
    const client = axios.create({ adapter });
    const broken = {
      tracer: { startSpan: () => { throw new Error('tracer down'); } } as unknown as TestTracing['tracer'],
      propagator: tracing.propagator,
    };
    instrumentAxios(client, broken);
    expect((await client.get('http://upstream.test/')).data).toBe('ok');
    expect(sentHeader(seen[0], 'traceparent')).toBeUndefined();

    const other = axios.create({ adapter });
    instrumentAxios(other, tracing);
    other.interceptors.request.use(() => {
      throw new Error('plain error from another interceptor');
    });
    await expect(other.get('http://upstream.test/')).rejects.toThrow('plain error from another interceptor');
  });
});
