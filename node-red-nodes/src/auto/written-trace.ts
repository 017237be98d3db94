// `msg.threadline` as the tracer writes it: the contract's plain fields (message-context.ts), and
// in private fields the span it names (its record, which the pipeline that opened it takes as a
// parent without parsing or checking it again), and the node's open span, so its end finds it without
// a lookup table. A private field is invisible to JSON, to Object.keys and
// to Node-RED's message clone: a cloned or replaced object is simply read the slow way.
import type { SpanRecord } from '@threadline/connectors';

export class WrittenTrace<S = unknown> {
  traceparent: string;
  tracestate?: string;
  baggage?: string;
  spans?: unknown[];
  readonly #written: string;
  readonly #parent: SpanRecord;
  readonly #span: S | undefined;

  constructor(traceparent: string, parent: SpanRecord, span?: S) {
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
  static parentOf(value: object): SpanRecord | undefined {
    if (!(#parent in value)) return undefined;
    const written = value as WrittenTrace;
    return written.spans === undefined && written.traceparent === written.#written ? written.#parent : undefined;
  }
}
