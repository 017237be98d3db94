// What every wrapper needs from OpenTelemetry, passed in rather than taken from globals: a wrapper
// never registers a tracer, propagator or context manager, so it can sit beside any existing
// OpenTelemetry setup (or none).

import type { Context, TextMapPropagator, Tracer } from '@opentelemetry/api';
import type { TraceCarrier } from '../model';

export interface TracingSeams {
  /** Creates the wrapper's spans (e.g. the pipeline's tracer). */
  tracer: Tracer;
  /** Reads and writes trace context on the wire (e.g. the ThreadlinePropagator). */
  propagator: TextMapPropagator;
}

/**
 * The parent of a span a wrapper starts: a live Context, or a TraceCarrier (context as data, as it
 * travels on Node-RED messages and n8n items). Without one, the active context is the parent.
 */
export type ParentContext = Context | TraceCarrier;

/** Per-call tracing options (axios config `threadline`, fetch init `threadline`). */
export interface PerCallTracing {
  parent?: ParentContext;
}
