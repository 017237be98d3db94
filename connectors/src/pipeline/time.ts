// Span times as the two forms the pipeline meets: OpenTelemetry's HrTime ([seconds, nanos]) inside
// the SDK, and nanoseconds since the epoch as a decimal string in span records (the OTLP JSON
// convention, exact where a JS number would lose the last digits).
import type { HrTime, TimeInput } from '@opentelemetry/api';
import { hrTime, timeInputToHrTime } from '@opentelemetry/core';

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_STRING = /^\d{1,20}$/;

export function hrTimeToNanosString(time: HrTime): string {
  return (BigInt(Math.trunc(time[0])) * NANOS_PER_SECOND + BigInt(Math.trunc(time[1]))).toString();
}

/** Undefined when `nanos` is not a decimal string of at most 20 digits. */
export function nanosStringToHrTime(nanos: string): HrTime | undefined {
  if (typeof nanos !== 'string' || !NANOS_STRING.test(nanos)) return undefined;
  const value = BigInt(nanos);
  return [Number(value / NANOS_PER_SECOND), Number(value % NANOS_PER_SECOND)];
}

export function isNanosString(value: unknown): value is string {
  return typeof value === 'string' && NANOS_STRING.test(value);
}

/** A caller's time (HrTime, epoch milliseconds, Date or a nanos string) as HrTime; now when absent or unusable. */
export function toHrTime(input: TimeInput | string | undefined): HrTime {
  if (input === undefined) return hrTime();
  if (typeof input === 'string') return nanosStringToHrTime(input) ?? hrTime();
  if (input instanceof Date && Number.isNaN(input.getTime())) return hrTime();
  if (typeof input === 'number' && !Number.isFinite(input)) return hrTime();
  return timeInputToHrTime(input);
}

export function compareHrTime(a: HrTime, b: HrTime): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
