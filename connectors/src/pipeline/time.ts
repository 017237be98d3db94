// Span times as the two forms the pipeline meets: OpenTelemetry's HrTime ([seconds, nanos]) inside
// the SDK, and nanoseconds since the epoch as a decimal string in span records (the OTLP JSON
// convention, exact where a JS number would lose the last digits).
import type { HrTime, TimeInput } from '@opentelemetry/api';
import { timeInputToHrTime } from '@opentelemetry/core';

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_STRING = /^\d{1,20}$/;

const NANOS_DIGITS = 9;
const NANOS_PAD = '000000000';

/** The seconds of the latest conversion and their digits: spans started within one second share them. */
let lastSeconds = -1;
let lastSecondsText = '';

export function hrTimeToNanosString(time: HrTime): string {
  const seconds = time[0];
  const nanos = time[1];
  // The usual case without BigInt: whole non-negative seconds and nanos below one second.
  if (Number.isSafeInteger(seconds) && seconds > 0 && Number.isInteger(nanos) && nanos >= 0 && nanos < 1e9) {
    if (seconds !== lastSeconds) {
      lastSeconds = seconds;
      lastSecondsText = String(seconds);
    }
    const digits = String(nanos);
    return lastSecondsText + (digits.length === NANOS_DIGITS ? digits : NANOS_PAD.slice(digits.length) + digits);
  }
  return (BigInt(Math.trunc(seconds)) * NANOS_PER_SECOND + BigInt(Math.trunc(nanos))).toString();
}

/** Undefined when `nanos` is not a decimal string of at most 20 digits. */
export function nanosStringToHrTime(nanos: string): HrTime | undefined {
  if (typeof nanos !== 'string' || !NANOS_STRING.test(nanos)) return undefined;
  // At most 20 digits: the seconds part has at most 11, exact as a number.
  if (nanos.length <= NANOS_DIGITS) return [0, Number(nanos)];
  return [Number(nanos.slice(0, -NANOS_DIGITS)), Number(nanos.slice(-NANOS_DIGITS))];
}

export function isNanosString(value: unknown): value is string {
  return typeof value === 'string' && NANOS_STRING.test(value);
}

/** The process's time origin as [seconds, nanos], the way OpenTelemetry's hrTime() splits it. */
const ORIGIN_MILLIS = performance.timeOrigin;
const ORIGIN_SECONDS = Math.trunc(ORIGIN_MILLIS / 1000);
const ORIGIN_NANOS = Math.round((ORIGIN_MILLIS % 1000) * 1e6);

/** Now, as OpenTelemetry's hrTime() computes it (time origin + performance.now()), in one allocation. */
export function nowHrTime(): HrTime {
  const millis = performance.now();
  let seconds = ORIGIN_SECONDS + Math.trunc(millis / 1000);
  let nanos = ORIGIN_NANOS + Math.round((millis % 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return [seconds, nanos];
}

/** A caller's time (HrTime, epoch milliseconds, Date or a nanos string) as HrTime; now when absent or unusable. */
export function toHrTime(input: TimeInput | string | undefined): HrTime {
  if (input === undefined) return nowHrTime();
  if (typeof input === 'string') return nanosStringToHrTime(input) ?? nowHrTime();
  if (input instanceof Date && Number.isNaN(input.getTime())) return nowHrTime();
  if (typeof input === 'number' && !Number.isFinite(input)) return nowHrTime();
  return timeInputToHrTime(input);
}

export function compareHrTime(a: HrTime, b: HrTime): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
