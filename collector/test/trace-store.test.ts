import { TraceStore } from '../src/store/trace-store';
import { span, traceId } from './spans';

test('a span that arrives twice is stored once', () => {
  const store = new TraceStore({ maxSpans: 100, maxAgeMs: 60_000 });
  const trace = traceId();
  const first = span({ traceId: trace });
  expect(store.add(first)).toBe('stored');
  expect(store.add({ ...first, name: 'retried' })).toBe('duplicate');
  expect(store.spanCount).toBe(1);
  expect(store.trace(trace)!.spans.get(first.spanId)!.name).toBe('span');
  expect(store.counters).toMatchObject({ received: 1, duplicates: 1 });
});

test('past maxSpans the oldest whole traces are evicted, never part of one', () => {
  const store = new TraceStore({ maxSpans: 10, maxAgeMs: 60_000 });
  const traces = [traceId(), traceId(), traceId()];
  for (const id of traces) for (let i = 0; i < 4; i++) store.add(span({ traceId: id }));
  // 12 spans offered, bound 10: the first trace (4 spans) went as a whole.
  expect(store.trace(traces[0]!)).toBeUndefined();
  expect(store.trace(traces[1]!)!.spans.size).toBe(4);
  expect(store.trace(traces[2]!)!.spans.size).toBe(4);
  expect(store.spanCount).toBe(8);
  expect(store.counters).toMatchObject({ evictedTraces: 1, evictedSpans: 4 });
});

test('a burst of 100,000 spans keeps the store within its bound', () => {
  const store = new TraceStore({ maxSpans: 5000, maxAgeMs: 60_000 });
  let peak = 0;
  for (let t = 0; t < 10_000; t++) {
    const id = traceId();
    for (let s = 0; s < 10; s++) {
      store.add(span({ traceId: id }));
      peak = Math.max(peak, store.spanCount);
    }
  }
  expect(peak).toBeLessThanOrEqual(5000);
  expect(store.counters.received).toBe(100_000);
  for (const trace of store.allTraces()) expect(trace.spans.size).toBe(10);
});

test('a trace that alone fills the store refuses further spans instead of evicting itself', () => {
  const store = new TraceStore({ maxSpans: 3, maxAgeMs: 60_000 });
  const id = traceId();
  const outcomes = [1, 2, 3, 4].map(() => store.add(span({ traceId: id })));
  expect(outcomes).toEqual(['stored', 'stored', 'stored', 'over-capacity']);
  expect(store.counters.overCapacity).toBe(1);
});

test('traces whose last span is older than maxAgeMs are evicted', () => {
  let now = 1_000_000;
  const store = new TraceStore({ maxSpans: 100, maxAgeMs: 1000, now: () => now });
  const old = traceId();
  const young = traceId();
  store.add(span({ traceId: old }));
  now += 800;
  store.add(span({ traceId: young }));
  now += 300;
  expect(store.evictExpired()).toBe(1);
  expect(store.trace(old)).toBeUndefined();
  expect(store.trace(young)).toBeDefined();
});

test('bad bounds are refused with the setting named', () => {
  expect(() => new TraceStore({ maxSpans: 0, maxAgeMs: 1 })).toThrow(/maxSpans/);
  expect(() => new TraceStore({ maxSpans: 1, maxAgeMs: 0 })).toThrow(/maxAgeMs/);
});
