// `msg.threadline` as the tracer writes it: the contract's plain fields (message-context.ts), and
// in private fields the span it names, already parsed, so the next node's span finds its parent
// without parsing the traceparent again, and the node's open span, so its end finds it without
// a lookup table. A private field is invisible to JSON, to Object.keys and
// to Node-RED's message clone: a cloned or replaced object is simply read the slow way.
import type { SpanContext } from '@opentelemetry/api';

export class WrittenTrace<S = unknown> {
  traceparent: string;
  tracestate?: string;
  baggage?: string;
  spans?: unknown[];
  readonly #written: string;
  readonly #parent: SpanContext;
  readonly #span: S | undefined;

  constructor(traceparent: string, parent: SpanContext, span?: S) {
    this.traceparent = traceparent;
    this.#written = traceparent;
    this.#parent = parent;
    this.#span = span;
  }

  /** The open span written with `value`, when `value` is an object this tracer wrote. */
  static spanOf<T>(value: unknown): T | undefined {
    return typeof value === 'object' && value !== null && #span in value ? (value as unknown as WrittenTrace<T>).#span : undefined;
  }

  /**
   * The span `value` names when it is an object this tracer wrote and still holds what was
   * written (same traceparent, no span records pushed since); otherwise undefined.
   */
  static parentOf(value: object): SpanContext | undefined {
    if (!(#parent in value)) return undefined;
    const written = value as WrittenTrace;
    return written.spans === undefined && written.traceparent === written.#written ? written.#parent : undefined;
  }
}
