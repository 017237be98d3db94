import fc from 'fast-check';
import { hrTime } from '@opentelemetry/core';
import { compareHrTime, hrTimeToNanosString, nanosStringToHrTime, nowHrTime } from '../../src/pipeline/time';

const exact = (seconds: number, nanos: number): string => (BigInt(Math.trunc(seconds)) * 1_000_000_000n + BigInt(Math.trunc(nanos))).toString();

describe('span times as nanosecond strings', () => {
  test('HrTime → nanos string is exact, with and without the fast path', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), fc.integer({ min: 0, max: 999_999_999 }), (seconds, nanos) => {
        expect(hrTimeToNanosString([seconds, nanos])).toBe(exact(seconds, nanos));
      }),
    );
    expect(hrTimeToNanosString([1_700_000_000, 5])).toBe('1700000000000000005');
    // the same second again (its digits are reused), then the next one
    expect(hrTimeToNanosString([1_700_000_000, 123_456_789])).toBe('1700000000123456789');
    expect(hrTimeToNanosString([1_700_000_001, 0])).toBe('1700000001000000000');
    expect(hrTimeToNanosString([0, 42])).toBe('42');
    expect(hrTimeToNanosString([-1, 0])).toBe('-1000000000');
    expect(hrTimeToNanosString([1.5, 2.7])).toBe(exact(1.5, 2.7));
  });

  test('nanos string → HrTime round-trips, up to 20 digits; anything else is undefined', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), fc.integer({ min: 0, max: 999_999_999 }), (seconds, nanos) => {
        expect(nanosStringToHrTime(exact(seconds, nanos))).toEqual([seconds, nanos]);
      }),
    );
    expect(nanosStringToHrTime('000000000001000000005')).toBeUndefined(); // 21 digits
    expect(nanosStringToHrTime('00000000001000000005')).toEqual([1, 5]);
    expect(nanosStringToHrTime('7')).toEqual([0, 7]);
    expect(nanosStringToHrTime('1e9')).toBeUndefined();
    expect(nanosStringToHrTime('')).toBeUndefined();
  });

  test('now is OpenTelemetry\'s hrTime(), in the same split', () => {
    for (let i = 0; i < 1000; i++) {
      const before = hrTime();
      const now = nowHrTime();
      const after = hrTime();
      expect(Number.isInteger(now[0]) && Number.isInteger(now[1]) && now[1] >= 0 && now[1] < 1e9).toBe(true);
      expect(compareHrTime(before, now) <= 0 && compareHrTime(now, after) <= 0).toBe(true);
    }
  });
});
