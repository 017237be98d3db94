import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import type { PropagationConfig } from '../../src/config/types';
import type { HeaderMap, ThreadlinePropagator } from '../../src/propagation';
import {
  LegacyPropagator,
  W3CBaggage,
  createPropagator,
  headerMapGetter,
  headerMapSetter,
  normaliseLegacySpanContext,
  parseOtelPropagators,
} from '../../src/propagation';
import { EMITTED_TRACEPARENT } from './support/grammar';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const B3_TRACE_ID = '80f198ee56343ba864fe8b2a57d3eff7';
const B3_SPAN_ID = 'e457b5a2e4d86bd1';

const all = createPropagator({ inbound: ['tracecontext', 'baggage', 'b3', 'jaeger'], outbound: ['tracecontext', 'baggage'] });

function extracted(propagator: ThreadlinePropagator, headers: HeaderMap) {
  const context = propagator.extract(ROOT_CONTEXT, headers, headerMapGetter);
  return { context, spanContext: trace.getSpanContext(context), baggage: propagation.getBaggage(context) };
}

describe('ThreadlinePropagator.extract', () => {
  test('W3C wins when valid, legacy headers are then ignored', () => {
    const { spanContext } = extracted(all, {
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
      b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1`,
    });
    expect(spanContext?.traceId).toBe(TRACE_ID);
  });

  test('a present but invalid traceparent does not fall back to B3 or Jaeger', () => {
    for (const traceparent of ['garbage', '', `00-${TRACE_ID}-${SPAN_ID}-01-x`]) {
      const { spanContext, baggage } = extracted(all, {
        traceparent,
        b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1`,
        'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:1`,
        baggage: 'k=v',
      });
      expect(spanContext).toBeUndefined();
      expect(baggage?.getEntry('k')?.value).toBe('v'); // baggage is independent
    }
  });

  test('without traceparent, B3 single, B3 multi and Jaeger are read and normalised', () => {
    const cases: HeaderMap[] = [
      { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` },
      { 'X-B3-TraceId': B3_TRACE_ID, 'X-B3-SpanId': B3_SPAN_ID, 'X-B3-Sampled': '1' },
      { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:1` },
    ];
    for (const headers of cases) {
      const { spanContext } = extracted(all, { ...headers, tracestate: 'ignored=1' });
      expect(spanContext).toMatchObject({ traceId: B3_TRACE_ID, spanId: B3_SPAN_ID, traceFlags: 1, isRemote: true });
      expect(spanContext?.traceState?.serialize()).toBe('');
    }
  });

  test('formats are tried in the configured order', () => {
    const headers = { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1`, 'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:1` };
    const jaegerFirst = createPropagator({ inbound: ['jaeger', 'b3'], outbound: [] });
    expect(extracted(jaegerFirst, headers).spanContext?.traceId).toBe(TRACE_ID);
    expect(extracted(all, headers).spanContext?.traceId).toBe(B3_TRACE_ID);
    const w3cOnly = createPropagator({ inbound: ['tracecontext'], outbound: [] });
    expect(extracted(w3cOnly, headers).spanContext).toBeUndefined();
  });

  test('baggage is read only when configured', () => {
    const noBaggage = createPropagator({ inbound: ['tracecontext'], outbound: ['tracecontext'] });
    expect(extracted(noBaggage, { baggage: 'k=v' }).baggage).toBeUndefined();
    expect(extracted(all, { baggage: 'k=v' }).baggage?.getEntry('k')?.value).toBe('v');
  });
});

describe('legacy normalisation', () => {
  const b3 = new LegacyPropagator('b3');
  const jaeger = new LegacyPropagator('jaeger');

  function read(propagator: LegacyPropagator, headers: HeaderMap) {
    return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, headerMapGetter));
  }

  test('64-bit B3 trace ids are left-padded to 128 bits', () => {
    expect(read(b3, { b3: `a3ce929d0e0e4736-${B3_SPAN_ID}-1` })?.traceId).toBe(`${'0'.repeat(16)}a3ce929d0e0e4736`);
  });

  test('B3 debug means sampled; deferred or unsampled means not sampled', () => {
    expect(read(b3, { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-d` })?.traceFlags).toBe(1);
    expect(read(b3, { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-0` })?.traceFlags).toBe(0);
    expect(read(b3, { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}` })?.traceFlags).toBe(0);
    expect(read(b3, { 'x-b3-traceid': B3_TRACE_ID, 'x-b3-spanid': B3_SPAN_ID, 'x-b3-flags': '1' })?.traceFlags).toBe(1);
  });

  test('Jaeger: ids padded and lowercased, debug bit 0x02 is not the W3C random flag', () => {
    expect(read(jaeger, { 'uber-trace-id': 'ABCDEF:12:0:3' })).toMatchObject({
      traceId: `${'0'.repeat(26)}abcdef`,
      spanId: `${'0'.repeat(14)}12`,
      traceFlags: 1,
    });
    expect(read(jaeger, { 'uber-trace-id': `${B3_TRACE_ID}%3A${B3_SPAN_ID}%3A0%3A0` })?.traceFlags).toBe(0);
  });

  test('invalid legacy ids are rejected', () => {
    expect(read(jaeger, { 'uber-trace-id': 'xyz:12:0:1' })).toBeUndefined();
    expect(read(jaeger, { 'uber-trace-id': `0:${B3_SPAN_ID}:0:1` })).toBeUndefined();
    expect(read(jaeger, { 'uber-trace-id': `${'a'.repeat(33)}:${B3_SPAN_ID}:0:1` })).toBeUndefined();
    expect(read(jaeger, { 'uber-trace-id': '%E0%A4%A' })).toBeUndefined();
    expect(read(b3, { b3: `${'0'.repeat(32)}-${B3_SPAN_ID}-1` })).toBeUndefined();
    expect(normaliseLegacySpanContext(undefined)).toBeUndefined();
  });

  test('Jaeger uberctx- baggage is not taken', () => {
    const context = jaeger.extract(ROOT_CONTEXT, { 'uber-trace-id': `${B3_TRACE_ID}:${B3_SPAN_ID}:0:1`, 'uberctx-user': 'x' }, headerMapGetter);
    expect(propagation.getBaggage(context)).toBeUndefined();
  });
});

describe('ThreadlinePropagator.inject', () => {
  const spanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0x03 };
  const context = propagation.setBaggage(
    trace.setSpanContext(ROOT_CONTEXT, spanContext),
    W3CBaggage.fromEntries([['k', { value: 'v' }]]),
  );

  function injected(config: PropagationConfig): HeaderMap {
    const headers: HeaderMap = {};
    createPropagator(config).inject(context, headers, headerMapSetter);
    return headers;
  }

  test('W3C is always written, baggage only when listed', () => {
    expect(injected({ inbound: [], outbound: [] })).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-03` });
    expect(injected({ inbound: [], outbound: ['baggage'] })).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-03`, baggage: 'k=v' });
  });

  test('B3 single, B3 multi and Jaeger only when listed, sampled flag only, no baggage', () => {
    const headers = injected({ inbound: [], outbound: ['tracecontext', 'b3', 'b3multi', 'jaeger'] });
    expect(headers.traceparent).toMatch(EMITTED_TRACEPARENT);
    expect(headers.b3).toBe(`${TRACE_ID}-${SPAN_ID}-1`);
    expect(headers['x-b3-traceid']).toBe(TRACE_ID);
    expect(headers['x-b3-spanid']).toBe(SPAN_ID);
    expect(headers['x-b3-sampled']).toBe('1');
    expect(headers['uber-trace-id']).toBe(`${TRACE_ID}:${SPAN_ID}:0:01`);
    expect(Object.keys(headers).some((name) => name.startsWith('uberctx-'))).toBe(false);
  });

  test('nothing legacy is written for an invalid span context', () => {
    const headers: HeaderMap = {};
    const bad = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'nope', spanId: SPAN_ID, traceFlags: 1 });
    createPropagator({ inbound: [], outbound: ['jaeger', 'b3'] }).inject(bad, headers, headerMapSetter);
    expect(headers).toEqual({});
  });

  test('fields() lists exactly what inject may write', () => {
    expect(createPropagator({ inbound: ['b3'], outbound: ['tracecontext'] }).fields()).toEqual(['traceparent', 'tracestate']);
    expect(createPropagator({ inbound: [], outbound: ['baggage', 'b3', 'jaeger'] }).fields()).toEqual([
      'traceparent',
      'tracestate',
      'baggage',
      'b3',
      'uber-trace-id',
    ]);
  });
});

describe('configuration', () => {
  test('an unknown propagator name is reported with its field', () => {
    expect(() => createPropagator({ inbound: ['tracecontext', 'xray' as never], outbound: [] })).toThrow(
      /propagation\.inbound contains unknown propagator "xray"/,
    );
    expect(() => createPropagator({ inbound: [], outbound: 'b3' as never })).toThrow(/propagation\.outbound must be a list/);
  });

  test('parseOtelPropagators reads OTEL_PROPAGATORS', () => {
    expect(parseOtelPropagators(' TraceContext, baggage ,b3multi,b3multi,,xray,none')).toEqual({
      names: ['tracecontext', 'baggage', 'b3multi'],
      unknown: ['xray'],
    });
    expect(parseOtelPropagators('none')).toEqual({ names: [], unknown: [] });
    expect(parseOtelPropagators(undefined)).toEqual({ names: [], unknown: [] });
  });
});
