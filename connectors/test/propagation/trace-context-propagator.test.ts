import type { SpanContext } from '@opentelemetry/api';
import { ROOT_CONTEXT, createTraceState, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { HeaderMap } from '../../src/propagation';
import {
  StrictTraceState,
  TraceContextPropagator,
  headerMapGetter,
  headerMapSetter,
} from '../../src/propagation';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const propagator = new TraceContextPropagator();

function extract(headers: HeaderMap) {
  return propagator.extract(ROOT_CONTEXT, headers, headerMapGetter);
}

function inject(spanContext: SpanContext, context = ROOT_CONTEXT): HeaderMap {
  const headers: HeaderMap = {};
  propagator.inject(trace.setSpanContext(context, spanContext), headers, headerMapSetter);
  return headers;
}

describe('TraceContextPropagator.extract', () => {
  test('sets a remote span context with a StrictTraceState', () => {
    const spanContext = trace.getSpanContext(extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'a=1' }));
    expect(spanContext).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(spanContext?.traceState).toBeInstanceOf(StrictTraceState);
    expect(spanContext?.traceState?.get('a')).toBe('1');
  });

  test('an invalid traceparent returns the very same context, ignoring tracestate', () => {
    const context = ROOT_CONTEXT.setValue(Symbol('marker'), 1);
    expect(propagator.extract(context, { traceparent: 'nonsense', tracestate: 'a=1' }, headerMapGetter)).toBe(context);
    expect(propagator.extract(context, {}, headerMapGetter)).toBe(context);
  });

  test('a bad tracestate never affects the traceparent', () => {
    const spanContext = trace.getSpanContext(extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'A=1' }));
    expect(spanContext?.traceId).toBe(TRACE_ID);
    expect(spanContext?.traceState?.serialize()).toBe('');
  });

  test('only the sampled and random bits are kept', () => {
    expect(trace.getSpanContext(extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-ff` }))?.traceFlags).toBe(0x03);
    expect(trace.getSpanContext(extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }))?.traceFlags).toBe(0x01);
  });
});

describe('TraceContextPropagator.inject', () => {
  test('writes traceparent and a non-empty tracestate', () => {
    const traceState = StrictTraceState.empty().set('congo', 't61rcWkgMzE');
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, traceState })).toEqual({
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
      tracestate: 'congo=t61rcWkgMzE',
    });
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0, traceState: StrictTraceState.empty() })).toEqual({
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-00`,
    });
  });

  test('writes nothing for an invalid span context or when tracing is suppressed', () => {
    expect(inject({ traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID, traceFlags: 1 })).toEqual({});
    expect(inject({ traceId: TRACE_ID, spanId: '0'.repeat(16), traceFlags: 1 })).toEqual({});
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }, suppressTracing(ROOT_CONTEXT))).toEqual({});
    const headers: HeaderMap = {};
    propagator.inject(ROOT_CONTEXT, headers, headerMapSetter);
    expect(headers).toEqual({});
  });

  test('a foreign TraceState is re-checked: invalid ones are not sent', () => {
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, traceState: createTraceState('a=1,b=2') }).tracestate).toBe('a=1,b=2');
    const lenient = createTraceState('a=1').set('Bad Key', 'x');
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, traceState: lenient }).tracestate).toBeUndefined();
  });

  test('the random flag of the span context is written as it is', () => {
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 3 }).traceparent).toMatch(/-03$/);
    expect(inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }).traceparent).toMatch(/-01$/);
  });

  test('fields', () => {
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });
});
