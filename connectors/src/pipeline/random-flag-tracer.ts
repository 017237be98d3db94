// The OpenTelemetry SDK tracer (2.x) gives every new span the flags 00 or 01, which drops the W3C
// Level 2 random flag (0x02). This tracer sets it on the span's own context, the one place every
// outgoing header and exported span reads: for a new trace when the ids are random, and for a
// child when its parent carries it.
import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { context as contextApi, isSpanContextValid, trace } from '@opentelemetry/api';
import { FLAG_RANDOM } from '../propagation/traceparent';
import { activeSpanStarter } from './active-span';

export class RandomFlagTracer implements Tracer {
  constructor(
    private readonly inner: Tracer,
    /** Whether new trace ids are random in their right-most 7 bytes. */
    private readonly randomRoots: boolean,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx: Context = contextApi.active()): Span {
    const span = this.inner.startSpan(name, options, ctx);
    const own = span.spanContext();
    // Suppressed tracing returns the shared invalid context: never touch that one.
    if (!isSpanContextValid(own) || (own.traceFlags & FLAG_RANDOM) !== 0) return span;
    const parent = options?.root ? undefined : trace.getSpanContext(ctx);
    const random = parent && isSpanContextValid(parent) ? (parent.traceFlags & FLAG_RANDOM) !== 0 : this.randomRoots;
    // The SDK hands out its own span-context object (recording or not), so this is what it exports and injects.
    if (random) own.traceFlags |= FLAG_RANDOM;
    return span;
  }

  readonly startActiveSpan: Tracer['startActiveSpan'] = activeSpanStarter(this);
}
