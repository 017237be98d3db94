// The composite propagator every Threadline part uses, configured by PropagationConfig.
//
// Extract: trace formats are tried in the configured inbound order; the first that yields a
// valid context wins. A `traceparent` that is present but invalid ends the search: the spec says
// to restart the trace, and falling back to B3 or Jaeger would let a malformed W3C header be
// overridden by an older format. Baggage is extracted independently.
// Inject: W3C always (traceparent, tracestate), baggage when listed in outbound, and B3 single /
// B3 multi / Jaeger only when listed in outbound.
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import type { PropagationConfig, PropagatorName } from '../config/types';
import { W3CBaggagePropagator } from './baggage-propagator';
import { LegacyPropagator } from './legacy-propagators';
import { TraceContextPropagator } from './trace-context-propagator';
import { TRACEPARENT_HEADER } from './traceparent';

export const PROPAGATOR_NAMES: readonly PropagatorName[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'];

/** Plain W3C: what a carrier means when nothing else is configured. */
export const W3C_PROPAGATION: Readonly<PropagationConfig> = Object.freeze({
  inbound: Object.freeze(['tracecontext', 'baggage']) as PropagatorName[],
  outbound: Object.freeze(['tracecontext', 'baggage']) as PropagatorName[],
});

function isPropagatorName(value: unknown): value is PropagatorName {
  return typeof value === 'string' && (PROPAGATOR_NAMES as readonly string[]).includes(value);
}

function checkNames(names: unknown, field: string): PropagatorName[] {
  if (!Array.isArray(names)) {
    throw new TypeError(`propagation.${field} must be a list of propagator names (${PROPAGATOR_NAMES.join(', ')})`);
  }
  for (const name of names) {
    if (!isPropagatorName(name)) {
      throw new TypeError(
        `propagation.${field} contains unknown propagator ${JSON.stringify(name)}; known: ${PROPAGATOR_NAMES.join(', ')}`,
      );
    }
  }
  return [...new Set(names as PropagatorName[])];
}

type TraceExtractor = { kind: 'tracecontext' } | { kind: 'legacy'; propagator: LegacyPropagator };

export class ThreadlinePropagator implements TextMapPropagator {
  private readonly traceContext = new TraceContextPropagator();
  private readonly baggage = new W3CBaggagePropagator();
  private readonly extractors: TraceExtractor[] = [];
  private readonly readBaggage: boolean;
  private readonly writeBaggage: boolean;
  private readonly legacyOutbound: LegacyPropagator[] = [];
  private readonly fieldNames: string[];

  /** Throws a TypeError naming the field when the config lists an unknown propagator. */
  constructor(config: PropagationConfig) {
    const inbound = checkNames(config?.inbound, 'inbound');
    const outbound = checkNames(config?.outbound, 'outbound');
    let b3Read = false;
    for (const name of inbound) {
      if (name === 'tracecontext') this.extractors.push({ kind: 'tracecontext' });
      else if (name === 'jaeger') this.extractors.push({ kind: 'legacy', propagator: new LegacyPropagator('jaeger') });
      else if ((name === 'b3' || name === 'b3multi') && !b3Read) {
        // Both names read both B3 encodings; one reader is enough.
        b3Read = true;
        this.extractors.push({ kind: 'legacy', propagator: new LegacyPropagator(name) });
      }
    }
    this.readBaggage = inbound.includes('baggage');
    this.writeBaggage = outbound.includes('baggage');
    for (const name of outbound) {
      if (name === 'b3' || name === 'b3multi' || name === 'jaeger') this.legacyOutbound.push(new LegacyPropagator(name));
    }
    const fields = this.traceContext.fields();
    if (this.writeBaggage) fields.push(...this.baggage.fields());
    for (const legacy of this.legacyOutbound) fields.push(...legacy.fields());
    this.fieldNames = [...new Set(fields)];
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = context;
    for (const extractor of this.extractors) {
      if (extractor.kind === 'tracecontext') {
        if (getter.get(carrier, TRACEPARENT_HEADER) === undefined) continue;
        // Present: valid or not, no other trace format is consulted.
        result = this.traceContext.extract(context, carrier, getter);
        break;
      }
      const next = extractor.propagator.extract(context, carrier, getter);
      if (next !== context) {
        result = next;
        break;
      }
    }
    return this.readBaggage ? this.baggage.extract(result, carrier, getter) : result;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.traceContext.inject(context, carrier, setter);
    if (this.writeBaggage) this.baggage.inject(context, carrier, setter);
    for (const legacy of this.legacyOutbound) legacy.inject(context, carrier, setter);
  }

  /** Every header name inject may write. */
  fields(): string[] {
    return [...this.fieldNames];
  }
}

/** The propagator for a resolved propagation config (see ThreadlinePropagator). */
export function createPropagator(config: PropagationConfig): ThreadlinePropagator {
  return new ThreadlinePropagator(config);
}

/**
 * Read an OTEL_PROPAGATORS value ("tracecontext,baggage,b3"): names are trimmed, lowercased and
 * deduplicated in order; "none" contributes nothing; names this kit does not support (for
 * example "xray") are returned in `unknown` so the caller can report them.
 */
export function parseOtelPropagators(value: string | undefined): { names: PropagatorName[]; unknown: string[] } {
  const names: PropagatorName[] = [];
  const unknown: string[] = [];
  if (typeof value !== 'string') return { names, unknown };
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '' || name === 'none') continue;
    if (isPropagatorName(name)) {
      if (!names.includes(name)) names.push(name);
    } else if (!unknown.includes(name)) {
      unknown.push(name);
    }
  }
  return { names, unknown };
}
