// The fetch wrapper against a recording base fetch (no network): what it hands on and what it
// records. The real-network behaviour is covered by test/integration/wrappers-http.test.ts.
import { SpanKind } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { BaseFetch, FetchInput } from '../../src/wrappers';
import { createTracedFetch } from '../../src/wrappers';
import type { TestTracing } from './support';
import { REMOTE_TRACEPARENT, REMOTE_TRACE_ID, createTestTracing, parseTraceparent } from './support';

interface Call {
  input: FetchInput;
  init: RequestInit | undefined;
}

function recordingFetch(status = 200): { calls: Call[]; baseFetch: BaseFetch } {
  const calls: Call[] = [];
  const baseFetch: BaseFetch = async (input, init) => {
    calls.push({ input, init });
    return new Response('ok', { status, headers: { 'x-reply': 'r' } });
  };
  return { calls, baseFetch };
}

function sentHeaders(call: Call | undefined): Headers {
  return new Headers(call?.init?.headers);
}

let tracing: TestTracing;
beforeEach(() => {
  tracing = createTestTracing();
});
afterEach(async () => {
  await tracing.shutdown();
});

describe('createTracedFetch', () => {
  it('hands on a copy of the headers with the span context and leaves the caller init alone', async () => {
    const { calls, baseFetch } = recordingFetch();
    const init = { headers: { 'x-a': '1' }, threadline: { parent: { traceparent: REMOTE_TRACEPARENT } } };
    await createTracedFetch(tracing, baseFetch)('http://upstream.test/x', init);
    expect(init.headers).toEqual({ 'x-a': '1' });
    expect(calls[0]!.init).not.toHaveProperty('threadline');
    const headers = sentHeaders(calls[0]);
    expect(headers.get('x-a')).toBe('1');
    const span = tracing.spanNamed('GET');
    expect(parseTraceparent(headers.get('traceparent') ?? undefined)).toEqual({
      traceId: REMOTE_TRACE_ID,
      parentId: span.spanContext().spanId,
      flags: '01',
    });
  });

  it('drops a stale tracestate from copied headers', async () => {
    const { calls, baseFetch } = recordingFetch();
    await createTracedFetch(tracing, baseFetch)('http://upstream.test/', {
      headers: { traceparent: REMOTE_TRACEPARENT, tracestate: 'stale=1' },
    });
    const headers = sentHeaders(calls[0]);
    expect(headers.get('tracestate')).toBeNull();
    expect(headers.get('traceparent')).not.toBe(REMOTE_TRACEPARENT);
  });

  it('lets init.headers replace a Request\'s headers, as fetch does', async () => {
    const { calls, baseFetch } = recordingFetch();
    const request = new Request('http://upstream.test/r', { headers: { 'x-request': 'gone' } });
    await createTracedFetch(tracing, baseFetch)(request, { headers: { 'x-init': 'kept' } });
    const headers = sentHeaders(calls[0]);
    expect(headers.get('x-request')).toBeNull();
    expect(headers.get('x-init')).toBe('kept');
    expect(calls[0]!.input).toBe(request);
  });

  it('follows fetch method normalisation: post → POST, patch stays patch (_OTHER)', async () => {
    const { baseFetch } = recordingFetch();
    const tracedFetch = createTracedFetch(tracing, baseFetch);
    await tracedFetch('http://upstream.test/', { method: 'post' });
    await tracedFetch('http://upstream.test/', { method: 'patch' });
    expect(tracing.spanNamed('POST').attributes['http.request.method']).toBe('POST');
    const other = tracing.spanNamed('HTTP');
    expect(other.attributes['http.request.method']).toBe('_OTHER');
    expect(other.attributes['http.request.method_original']).toBe('patch');
  });

  it('captures opted-in response headers', async () => {
    const { baseFetch } = recordingFetch(201);
    await createTracedFetch({ ...tracing, captureResponseHeaders: ['X-Reply'] }, baseFetch)('http://upstream.test/');
    const span = tracing.spanNamed('GET');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes['http.response.header.x-reply']).toEqual(['r']);
  });

  it('leaves invalid headers to the base fetch, untraced, and rejects with its error', async () => {
    const tracedFetch = createTracedFetch(tracing, globalThis.fetch);
    const failure = await tracedFetch('http://upstream.test/', { headers: { 'bad header': 'x' } }).catch((error: unknown) => error);
    expect((failure as Error).name).toBe('TypeError');
    expect(tracing.spans()).toEqual([]);
  });

  it('goes out untraced when the tracer throws', async () => {
    const { calls, baseFetch } = recordingFetch();
    const broken = {
      tracer: { startSpan: () => { throw new Error('tracer down'); } } as unknown as TestTracing['tracer'],
      propagator: tracing.propagator,
    };
    const response = await createTracedFetch(broken, baseFetch)('http://upstream.test/', { headers: { 'x-a': '1' } });
    expect(response.status).toBe(200);
    expect(calls[0]!.init).toEqual({ headers: { 'x-a': '1' } });
  });

  it('works with any TextMapPropagator, e.g. OpenTelemetry core\'s W3C one', async () => {
    const coreTracing = createTestTracing(new W3CTraceContextPropagator());
    const { calls, baseFetch } = recordingFetch();
    await createTracedFetch(coreTracing, baseFetch)('http://upstream.test/');
    const span = coreTracing.spanNamed('GET');
    expect(parseTraceparent(sentHeaders(calls[0]).get('traceparent') ?? undefined).parentId).toBe(span.spanContext().spanId);
    await coreTracing.shutdown();
  });
});
