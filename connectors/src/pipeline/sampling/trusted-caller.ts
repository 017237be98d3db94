// Trust in the caller travels in the Context, set by the component that authenticated the caller
// (the interceptor, later), never in a span attribute: attributes come from the request itself.
import type { Context } from '@opentelemetry/api';
import { createContextKey } from '@opentelemetry/api';

export const TRUSTED_CALLER_KEY = createContextKey('threadline.trusted-caller');

/** A context in which the remote caller's sampled flag is honoured without the inbound limit. */
export function markTrustedCaller(context: Context): Context {
  return context.setValue(TRUSTED_CALLER_KEY, true);
}

export function isTrustedCaller(context: Context): boolean {
  return context.getValue(TRUSTED_CALLER_KEY) === true;
}
