// B3 (single and multi header) and Jaeger, read with the OpenTelemetry propagators and
// normalised to W3C: lowercase ids checked like a traceparent, only the sampled flag kept (these
// formats say nothing about random ids, and Jaeger's 0x02 means "debug"), an empty tracestate,
// and no Jaeger `uberctx-` baggage (baggage is read from the W3C header only).
import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { isValidSpanIdHex, isValidTraceIdHex } from './hex';
import { FLAG_SAMPLED } from './traceparent';
import { StrictTraceState } from './tracestate';

export type LegacyFormat = 'b3' | 'b3multi' | 'jaeger';

/** A W3C remote span context for a span context read from a legacy header, or undefined. */
export function normaliseLegacySpanContext(spanContext: SpanContext | undefined): SpanContext | undefined {
  if (spanContext === undefined || typeof spanContext.traceId !== 'string' || typeof spanContext.spanId !== 'string') {
    return undefined;
  }
  const traceId = spanContext.traceId.toLowerCase();
  const spanId = spanContext.spanId.toLowerCase();
  if (!isValidTraceIdHex(traceId) || !isValidSpanIdHex(spanId)) return undefined;
  return {
    traceId,
    spanId,
    traceFlags: spanContext.traceFlags & FLAG_SAMPLED,
    isRemote: true,
    traceState: StrictTraceState.empty(),
  };
}

function delegateFor(format: LegacyFormat): TextMapPropagator {
  switch (format) {
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    case 'jaeger':
      return new JaegerPropagator();
  }
}

/**
 * One legacy format. Extract reads it (B3 in either encoding for 'b3' and 'b3multi') and sets a
 * normalised W3C span context; inject writes the format from the active span context, sampled
 * flag only and without baggage.
 */
export class LegacyPropagator implements TextMapPropagator {
  private readonly delegate: TextMapPropagator;

  constructor(readonly format: LegacyFormat) {
    this.delegate = delegateFor(format);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let foreign: SpanContext | undefined;
    try {
      foreign = trace.getSpanContext(this.delegate.extract(ROOT_CONTEXT, carrier, getter));
    } catch {
      return context;
    }
    const spanContext = normaliseLegacySpanContext(foreign);
    return spanContext === undefined ? context : trace.setSpanContext(context, spanContext);
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || !isValidTraceIdHex(spanContext.traceId) || !isValidSpanIdHex(spanContext.spanId)) {
      return;
    }
    const outgoing = trace.setSpanContext(propagation.deleteBaggage(context), {
      ...spanContext,
      traceFlags: spanContext.traceFlags & FLAG_SAMPLED,
    });
    this.delegate.inject(outgoing, carrier, setter);
  }

  fields(): string[] {
    return this.delegate.fields();
  }
}
