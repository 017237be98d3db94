import type { TraceState } from '@opentelemetry/api';
import { StrictTraceState, isValidTraceStateKey, isValidTraceStateValue, parseTraceState } from '../../src/propagation';

describe('StrictTraceState.parse', () => {
  test('absent is undefined, empty is a valid empty state', () => {
    expect(StrictTraceState.parse(undefined)).toBeUndefined();
    expect(StrictTraceState.parse('')?.size).toBe(0);
    expect(StrictTraceState.parse(' , ,\t')?.serialize()).toBe('');
    expect(StrictTraceState.parse([])?.size).toBe(0);
  });

  test('combines fields in order and skips empty members', () => {
    const state = StrictTraceState.parse(['rojo=00f067aa0ba902b7, ', '', ',congo=t61rcWkgMzE']);
    expect(state?.entries()).toEqual([
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
    ]);
    expect(state?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  test('a canonical single field serializes to itself', () => {
    const header = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';
    expect(StrictTraceState.parse(header)?.serialize()).toBe(header);
  });

  test('keeps leading spaces of a value, drops trailing OWS', () => {
    const state = StrictTraceState.parse('a= x y,b=1 \t');
    expect(state?.get('a')).toBe(' x y');
    expect(state?.get('b')).toBe('1');
    expect(state?.serialize()).toBe('a= x y,b=1');
  });

  test('any malformed member discards the whole header', () => {
    for (const header of [
      'a=1,B=2',
      'a=1,b',
      'a=1,=2',
      'a=1,b=',
      'a=1,b= ',
      'a=1,b=x=y',
      'a=1,b=\t2',
      'a=1,b=ü',
      'a=1,_b=2',
      'a=1,@b=2',
      'a=1,b c=2',
      `a=1,b=${'x'.repeat(257)}`,
      `a=1,${'k'.repeat(257)}=2`,
    ]) {
      expect(StrictTraceState.parse(header)).toBeUndefined();
      expect(StrictTraceState.parse(['a=1', header.slice(4)])).toBeUndefined();
    }
  });

  test('limits: 256-char keys and values are fine, 33 members are not', () => {
    const key = `k${'*'.repeat(255)}`;
    const value = `${' '.repeat(255)}v`;
    expect(StrictTraceState.parse(`${key}=${value}`)?.get(key)).toBe(value);
    const members = Array.from({ length: 33 }, (_, i) => `k${i}=${i}`);
    expect(StrictTraceState.parse(members.slice(0, 32).join(','))?.size).toBe(32);
    expect(StrictTraceState.parse(members.join(','))).toBeUndefined();
    expect(StrictTraceState.parse([members.slice(0, 16).join(','), members.slice(16).join(',')])).toBeUndefined();
  });

  test('a duplicated key keeps the first member', () => {
    expect(StrictTraceState.parse('a=1,b=2,a=3')?.serialize()).toBe('a=1,b=2');
    expect(StrictTraceState.parse(['a=1', 'a=2'])?.get('a')).toBe('1');
  });

  test('never throws on junk', () => {
    expect(StrictTraceState.parse([42 as never])).toBeUndefined();
    expect(StrictTraceState.parse({} as never)).toBeUndefined();
    expect(parseTraceState('a=1')?.get('a')).toBe('1');
  });
});

describe('StrictTraceState mutations', () => {
  const base = StrictTraceState.parse('a=1,b=2,c=3') as StrictTraceState;

  test('set adds or moves the key to the left, immutably', () => {
    expect(base.set('b', '9').serialize()).toBe('b=9,a=1,c=3');
    expect(base.set('new', 'v').serialize()).toBe('new=v,a=1,b=2,c=3');
    expect(base.serialize()).toBe('a=1,b=2,c=3');
  });

  test('set drops the right-most member past 32', () => {
    let state = StrictTraceState.parse(Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(',')) as StrictTraceState;
    state = state.set('ot', 'th:8');
    expect(state.size).toBe(32);
    expect(state.entries()[0]).toEqual(['ot', 'th:8']);
    expect(state.get('k31')).toBeUndefined();
    expect(state.get('k30')).toBe('30');
  });

  test('set with an invalid key or value returns the same state', () => {
    for (const [key, value] of [
      ['Bad', '1'],
      ['@x', '1'],
      ['ok', ''],
      ['ok', 'a,b'],
      ['ok', 'a=b'],
      ['ok', 'trailing '],
      ['ok', 'x'.repeat(257)],
      [42, '1'],
      ['ok', 42],
    ]) {
      expect(base.set(key as string, value as string)).toBe(base);
    }
  });

  test('unset removes a key; unknown keys return the same state', () => {
    expect(base.unset('b').serialize()).toBe('a=1,c=3');
    expect(base.unset('zzz')).toBe(base);
    expect(StrictTraceState.parse('a=1')?.unset('a').serialize()).toBe('');
  });

  test('empty state can be built up and satisfies the OpenTelemetry interface', () => {
    const state: TraceState = StrictTraceState.empty().set('congo', 't61rcWkgMzE').set('rojo', '00f067aa0ba902b7');
    expect(state.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(state.get('congo')).toBe('t61rcWkgMzE');
  });
});

describe('tracestate grammar helpers', () => {
  test('keys', () => {
    expect(isValidTraceStateKey('tenant@system')).toBe(true);
    expect(isValidTraceStateKey('0a_-*/@')).toBe(true);
    expect(isValidTraceStateKey('k'.repeat(256))).toBe(true);
    expect(isValidTraceStateKey('k'.repeat(257))).toBe(false);
    expect(isValidTraceStateKey('')).toBe(false);
    expect(isValidTraceStateKey('-a')).toBe(false);
  });

  test('values', () => {
    expect(isValidTraceStateValue(' leading')).toBe(true);
    expect(isValidTraceStateValue('~!')).toBe(true);
    expect(isValidTraceStateValue('')).toBe(false);
    expect(isValidTraceStateValue('\u007f')).toBe(false);
  });
});
