import type { SpanRecord } from '../../src/model';
import { RecordSweeper } from '../../src/pipeline/sweeper';

function record(spanId: string): SpanRecord {
  return { v: 1, traceId: '0af7651916cd43dd8448eb211c80319c', spanId, traceFlags: 1, name: 'step', kind: 'internal', startTimeUnixNano: '1', attributes: {} };
}

describe('RecordSweeper', () => {
  let now = 0;
  const ended: string[] = [];
  const clock = () => now;
  const make = () => new RecordSweeper((r) => ended.push(r.spanId), { intervalMillis: 10, now: clock });

  beforeEach(() => {
    now = 1_000;
    ended.length = 0;
  });

  test('ends records past their deadline, and only those', () => {
    const sweeper = make();
    sweeper.track(record('a000000000000001'), 100);
    sweeper.track(record('a000000000000002'), 500);
    now += 100;
    expect(sweeper.sweep()).toBe(1);
    expect(ended).toEqual(['a000000000000001']);
    expect(sweeper.size).toBe(1);
    now += 400;
    sweeper.sweep();
    expect(ended).toEqual(['a000000000000001', 'a000000000000002']);
    sweeper.stop();
  });

  test('untracked records are never ended', () => {
    const sweeper = make();
    const r = record('b000000000000001');
    sweeper.track(r, 10);
    expect(sweeper.untrack(r)).toBe(true);
    expect(sweeper.untrack(r)).toBe(false);
    now += 1000;
    expect(sweeper.sweep()).toBe(0);
    expect(ended).toEqual([]);
    sweeper.stop();
  });

  test('remembers what it abandoned, so a late end can be refused', () => {
    const sweeper = make();
    const r = record('c000000000000001');
    sweeper.track(r, 0);
    sweeper.sweep();
    expect(sweeper.wasAbandoned(r)).toBe(true);
    expect(sweeper.wasAbandoned(record('c000000000000002'))).toBe(false);
    sweeper.stop();
  });

  test('the same span id in two traces: each record is tracked, untracked and abandoned on its own', () => {
    const sweeper = make();
    const first = record('f000000000000001');
    const second = { ...first, traceId: '1bf7651916cd43dd8448eb211c80319d' };
    sweeper.track(first, 100);
    sweeper.track(second, 200);
    expect(sweeper.size).toBe(2);
    expect(sweeper.untrack({ ...first, traceId: '2cf7651916cd43dd8448eb211c80319e' })).toBe(false);
    now += 100;
    expect(sweeper.sweep()).toBe(1);
    expect(sweeper.wasAbandoned(first)).toBe(true);
    expect(sweeper.wasAbandoned(second)).toBe(false);
    expect(sweeper.untrack(JSON.parse(JSON.stringify(second)) as SpanRecord)).toBe(true);
    expect(sweeper.size).toBe(0);
    sweeper.stop();
  });

  test('its timer sweeps by itself, is unref’d, and stops when nothing is tracked', async () => {
    const sweeper = new RecordSweeper((r) => ended.push(r.spanId), { intervalMillis: 5 });
    sweeper.track(record('d000000000000001'), 1);
    const timer = (sweeper as unknown as { timer: NodeJS.Timeout }).timer;
    expect(timer.hasRef()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(ended).toEqual(['d000000000000001']);
    expect((sweeper as unknown as { timer?: NodeJS.Timeout }).timer).toBeUndefined();
    sweeper.stop();
  });

  test('stop ends what is still tracked and accepts nothing more', () => {
    const sweeper = make();
    sweeper.track(record('e000000000000001'), 60_000);
    expect(sweeper.stop()).toBe(1);
    expect(ended).toEqual(['e000000000000001']);
    sweeper.track(record('e000000000000002'), 0);
    expect(sweeper.size).toBe(0);
  });
});
