import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import type { HeaderMap } from '../../src/propagation';
import {
  W3CBaggage,
  carrierToContext,
  childCarrier,
  contextToCarrier,
  createPropagator,
  extractCarrier,
  headerMapGetter,
  headerMapSetter,
  injectCarrier,
  isValidCarrier,
  newRootCarrier,
} from '../../src/propagation';
import { EMITTED_TRACEPARENT } from './support/grammar';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TP = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('extractCarrier', () => {
  test('normalises: version 00, known flags only, canonical tracestate and baggage', () => {
    expect(
      extractCarrier({ TRACEPARENT: ` cc-${TRACE_ID}-${SPAN_ID}-ff-x`, tracestate: ['a=1 ', ' b=2'], baggage: ' k = %41 ;p' }, headerMapGetter),
    ).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-03`, tracestate: 'a=1,b=2', baggage: 'k=A;p' });
  });

  test('drops what is invalid and keeps what is valid', () => {
    expect(extractCarrier({ traceparent: TP, tracestate: 'A=1', baggage: 'bad key=1' }, headerMapGetter)).toEqual({ traceparent: TP });
    expect(extractCarrier({ tracestate: 'a=1', baggage: 'k=v' }, headerMapGetter)).toBeUndefined();
  });

  test('with the configured propagator, B3 arrives as W3C', () => {
    const propagator = createPropagator({ inbound: ['tracecontext', 'b3'], outbound: [] });
    expect(extractCarrier({ b3: `${TRACE_ID}-${SPAN_ID}-1` }, headerMapGetter, propagator)).toEqual({ traceparent: TP });
  });
});

describe('injectCarrier / carrierToContext / contextToCarrier', () => {
  test('round trip', () => {
    const carrier = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-02`, tracestate: 'a=1', baggage: 'k=v' };
    const headers: HeaderMap = {};
    injectCarrier(carrier, headers, headerMapSetter);
    expect(headers).toEqual(carrier);
    expect(contextToCarrier(carrierToContext(carrier))).toEqual(carrier);
  });

  test('carrierToContext gives a remote span context and the baggage', () => {
    const context = carrierToContext({ traceparent: TP, baggage: 'k=v' });
    expect(trace.getSpanContext(context)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    expect(propagation.getBaggage(context)?.getEntry('k')?.value).toBe('v');
  });

  test('an invalid carrier gives the context back and injects nothing', () => {
    const base = ROOT_CONTEXT.setValue(Symbol('x'), 1);
    expect(carrierToContext({ traceparent: 'bad' }, base)).toBe(base);
    expect(carrierToContext(undefined, base)).toBe(base);
    expect(carrierToContext('junk' as never, base)).toBe(base);
    const headers: HeaderMap = {};
    injectCarrier({ traceparent: 'bad', baggage: 'k=v' }, headers, headerMapSetter);
    injectCarrier(undefined, headers, headerMapSetter);
    expect(headers).toEqual({});
  });

  test('injectCarrier with the configured propagator also writes B3', () => {
    const headers: HeaderMap = {};
    injectCarrier({ traceparent: TP }, headers, headerMapSetter, createPropagator({ inbound: [], outbound: ['b3'] }));
    expect(headers).toEqual({ traceparent: TP, b3: `${TRACE_ID}-${SPAN_ID}-1` });
  });

  test('contextToCarrier: undefined without a span context; baggage from any Baggage', () => {
    expect(contextToCarrier(ROOT_CONTEXT)).toBeUndefined();
    const context = propagation.setBaggage(
      trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }),
      propagation.createBaggage({ user: { value: 'é' } }),
    );
    expect(contextToCarrier(context)).toEqual({ traceparent: TP, baggage: 'user=%C3%A9' });
    expect(contextToCarrier(propagation.setBaggage(ROOT_CONTEXT, W3CBaggage.fromEntries([['k', { value: 'v' }]])))).toBeUndefined();
  });
});

describe('childCarrier', () => {
  const parent = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-03`, tracestate: 'a=1', baggage: 'k=v' };

  test('same trace id, new parent id, flags, tracestate and baggage kept', () => {
    const child = childCarrier(parent);
    expect(child?.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-03$`));
    expect(child?.traceparent).not.toContain(SPAN_ID);
    expect(child?.tracestate).toBe('a=1');
    expect(child?.baggage).toBe('k=v');
  });

  test('uses the given span id; an invalid one or an invalid parent gives undefined', () => {
    expect(childCarrier(parent, 'a'.repeat(16))?.traceparent).toBe(`00-${TRACE_ID}-${'a'.repeat(16)}-03`);
    expect(childCarrier(parent, 'A'.repeat(16))).toBeUndefined();
    expect(childCarrier({ traceparent: 'bad' })).toBeUndefined();
    expect(childCarrier(undefined)).toBeUndefined();
  });
});

describe('newRootCarrier and isValidCarrier', () => {
  test('new roots have random ids, the random flag, and the sampled flag as asked', () => {
    const sampled = newRootCarrier(true);
    const unsampled = newRootCarrier(false);
    expect(sampled.traceparent).toMatch(EMITTED_TRACEPARENT);
    expect(sampled.traceparent.endsWith('-03')).toBe(true);
    expect(unsampled.traceparent.endsWith('-02')).toBe(true);
    expect(sampled.traceparent.slice(3, 35)).not.toBe(unsampled.traceparent.slice(3, 35));
    expect(Object.keys(sampled)).toEqual(['traceparent']);
  });

  test('isValidCarrier', () => {
    expect(isValidCarrier({ traceparent: TP })).toBe(true);
    expect(isValidCarrier({ traceparent: TP, tracestate: 'a=1', baggage: 'k=v;p' })).toBe(true);
    expect(isValidCarrier({ traceparent: TP, tracestate: '' })).toBe(true);
    for (const bad of [
      null,
      'x',
      {},
      { traceparent: 'x' },
      { traceparent: TP, tracestate: 'A=1' },
      { traceparent: TP, tracestate: 1 },
      { traceparent: TP, baggage: 'k=v,bad key=1' },
      { traceparent: TP, baggage: 'k=1,k=2' },
      { traceparent: TP, baggage: Array.from({ length: 65 }, (_, i) => `k${i}=v`).join(',') },
      { traceparent: TP, baggage: 7 },
    ]) {
      expect(isValidCarrier(bad)).toBe(false);
    }
  });
});
