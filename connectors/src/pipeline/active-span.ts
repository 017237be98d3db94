// Tracer.startActiveSpan for the pipeline's own tracers, in terms of their startSpan: the overloads
// sorted out, and the new span made the active one while the callback runs.
import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { context as contextApi, trace } from '@opentelemetry/api';

export type ActiveSpanFn<F> = F extends (span: Span) => unknown ? F : never;

export function startActiveSpanWith<F extends (span: Span) => unknown>(
  tracer: Pick<Tracer, 'startSpan'>,
  name: string,
  a?: SpanOptions | ActiveSpanFn<F>,
  b?: Context | ActiveSpanFn<F>,
  c?: ActiveSpanFn<F>,
): ReturnType<F> {
  const fn = (typeof a === 'function' ? a : typeof b === 'function' ? b : c) as F;
  const options = typeof a === 'object' ? a : undefined;
  const parentContext = typeof b === 'object' ? b : contextApi.active();
  const span = tracer.startSpan(name, options, parentContext);
  return contextApi.with(trace.setSpan(parentContext, span), () => fn(span)) as ReturnType<F>;
}
