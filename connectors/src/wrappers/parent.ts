// Turns a ParentContext into the Context a span starts under.

import type { Context, TextMapPropagator } from '@opentelemetry/api';
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import type { ParentContext } from './types';
import { headerMapGetter } from '../propagation/carriers';

function isContext(parent: ParentContext): parent is Context {
  return typeof (parent as Partial<Context>).getValue === 'function';
}

/**
 * A TraceCarrier is extracted onto the root context: the carrier is the whole parent, so nothing
 * from whatever happens to be active leaks into it. An invalid carrier yields a new trace.
 */
export function resolveParentContext(propagator: TextMapPropagator, parent: ParentContext | undefined): Context {
  if (parent === undefined) return context.active();
  if (isContext(parent)) return parent;
  return propagator.extract(ROOT_CONTEXT, parent, headerMapGetter);
}
