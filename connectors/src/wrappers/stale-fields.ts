// A carrier handed to a wrapper may already hold trace fields: headers copied from an incoming
// request, a consumed message being forwarded. Injecting only overwrites what the new context has,
// so a stale tracestate or baggage would ride along with the new traceparent. Every field the
// propagator may write is removed first, so what goes out is exactly the new context.

import type { TextMapPropagator } from '@opentelemetry/api';

/** Deletes, case-insensitively, every field `propagator` may write from a header-like record. */
export function removePropagatorFields(propagator: TextMapPropagator, record: object): void {
  const fields = new Set(propagator.fields().map((field) => field.toLowerCase()));
  const writable = record as Record<string, unknown>;
  for (const key of Object.keys(writable)) {
    if (fields.has(key.toLowerCase())) delete writable[key];
  }
}
