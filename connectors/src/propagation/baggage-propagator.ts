// Strict W3C Baggage propagator behind OpenTelemetry's TextMapPropagator (rules in baggage.ts).
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { propagation } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { BAGGAGE_HEADER, parseBaggage, serializeBaggage } from './baggage';

export class W3CBaggagePropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(context)) return;
    const value = serializeBaggage(propagation.getBaggage(context));
    if (value !== '') setter.set(carrier, BAGGAGE_HEADER, value);
  }

  /** Combines every `baggage` field; leaves the context untouched when no valid member arrives. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const baggage = parseBaggage(getter.get(carrier, BAGGAGE_HEADER));
    return baggage === undefined ? context : propagation.setBaggage(context, baggage);
  }

  fields(): string[] {
    return [BAGGAGE_HEADER];
  }
}
