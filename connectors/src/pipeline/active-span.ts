// Tracer.startActiveSpan for the pipeline's own tracers, in terms of their startSpan: the overloads
// sorted out, and the new span made the active one while the callback runs.
import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { context as contextApi, trace } from '@opentelemetry/api';

type ActiveSpanFn = (span: Span) => unknown;

/** A startActiveSpan for `tracer` (every overload of the Tracer interface). */
export function activeSpanStarter(tracer: Pick<Tracer, 'startSpan'>): Tracer['startActiveSpan'] {
  const start = (name: string, a?: SpanOptions | ActiveSpanFn, b?: Context | ActiveSpanFn, c?: ActiveSpanFn): unknown => {
    const fn = (typeof a === 'function' ? a : typeof b === 'function' ? b : c) as ActiveSpanFn;
    const options = typeof a === 'object' ? a : undefined;
    const parentContext = typeof b === 'object' ? b : contextApi.active();
    const span = tracer.startSpan(name, options, parentContext);
    return contextApi.with(trace.setSpan(parentContext, span), () => fn(span));
  };
  return start as Tracer['startActiveSpan'];
}
