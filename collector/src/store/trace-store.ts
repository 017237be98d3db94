// The bounded in-memory trace store. Spans are grouped by trace; a span is identified by its trace
// id and span id, so an export retried by the exporter stores nothing twice. Retention keeps at
// most `maxSpans` spans and drops traces whose last span arrived more than `maxAgeMs` ago, always
// evicting whole traces, oldest first arrival first: a trace is never shown half-evicted.
import type { ReceivedSpan } from '../otlp/decode';

/** A span as stored: the decoded span and when it arrived. */
export interface StoredSpan extends ReceivedSpan {
  receivedMs: number;
}

export interface StoredTrace {
  readonly traceId: string;
  /** By span id. */
  readonly spans: Map<string, StoredSpan>;
  firstReceivedMs: number;
  lastReceivedMs: number;
  /** Bumped on every change, so derived views can be cached per version. */
  version: number;
}

export interface TraceStoreOptions {
  maxSpans: number;
  maxAgeMs: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

export type AddOutcome = 'stored' | 'duplicate' | 'over-capacity';

export interface TraceStoreCounters {
  received: number;
  duplicates: number;
  evictedSpans: number;
  evictedTraces: number;
  /** Spans refused because their own trace alone fills the store. */
  overCapacity: number;
}

export class TraceStore {
  readonly maxSpans: number;
  readonly maxAgeMs: number;
  /** Insertion order = order of first arrival, so the first entry is the oldest trace. */
  private readonly traces = new Map<string, StoredTrace>();
  private spanTotal = 0;
  private readonly now: () => number;
  private changes = 0;
  readonly counters: TraceStoreCounters = { received: 0, duplicates: 0, evictedSpans: 0, evictedTraces: 0, overCapacity: 0 };

  constructor(options: TraceStoreOptions) {
    if (!Number.isInteger(options.maxSpans) || options.maxSpans < 1) throw new Error(`maxSpans must be a positive integer, got ${options.maxSpans}`);
    if (!(options.maxAgeMs > 0)) throw new Error(`maxAgeMs must be positive, got ${options.maxAgeMs}`);
    this.maxSpans = options.maxSpans;
    this.maxAgeMs = options.maxAgeMs;
    this.now = options.now ?? Date.now;
  }

  get spanCount(): number {
    return this.spanTotal;
  }

  get traceCount(): number {
    return this.traces.size;
  }

  /** Bumped on every change of the store, so views over all traces can be cached per revision. */
  get revision(): number {
    return this.changes;
  }

  /**
   * Stores one span unless a span with the same ids is already stored. `receivedMs` is kept when
   * given (spans reloaded from the persistence file), else it is now.
   */
  add(span: ReceivedSpan, receivedMs = this.now()): AddOutcome {
    let trace = this.traces.get(span.traceId);
    if (trace?.spans.has(span.spanId)) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    if (this.spanTotal >= this.maxSpans) {
      this.evictOldestExcept(span.traceId);
      if (this.spanTotal >= this.maxSpans) {
        this.counters.overCapacity++;
        return 'over-capacity';
      }
    }
    if (trace === undefined) {
      trace = { traceId: span.traceId, spans: new Map(), firstReceivedMs: receivedMs, lastReceivedMs: receivedMs, version: 0 };
      this.traces.set(span.traceId, trace);
    }
    trace.spans.set(span.spanId, { ...span, receivedMs });
    trace.lastReceivedMs = Math.max(trace.lastReceivedMs, receivedMs);
    trace.version++;
    this.changes++;
    this.spanTotal++;
    this.counters.received++;
    return 'stored';
  }

  has(traceId: string, spanId: string): boolean {
    return this.traces.get(traceId)?.spans.has(spanId) ?? false;
  }

  trace(traceId: string): StoredTrace | undefined {
    return this.traces.get(traceId);
  }

  /** Every trace, oldest first arrival first. */
  allTraces(): IterableIterator<StoredTrace> {
    return this.traces.values();
  }

  /** Every stored span, trace by trace, oldest trace first. */
  *allSpans(): IterableIterator<StoredSpan> {
    for (const trace of this.traces.values()) yield* trace.spans.values();
  }

  /** Drops traces whose last span arrived more than maxAgeMs ago; returns how many. */
  evictExpired(): number {
    const cutoff = this.now() - this.maxAgeMs;
    let evicted = 0;
    for (const trace of [...this.traces.values()]) {
      if (trace.lastReceivedMs < cutoff) {
        this.remove(trace);
        evicted++;
      }
    }
    return evicted;
  }

  clear(): void {
    this.changes++;
    this.traces.clear();
    this.spanTotal = 0;
  }

  /** Evicts oldest traces (never `keepTraceId`) until there is room for one more span. */
  private evictOldestExcept(keepTraceId: string): void {
    for (const trace of this.traces.values()) {
      if (this.spanTotal < this.maxSpans) return;
      if (trace.traceId !== keepTraceId) this.remove(trace);
    }
  }

  private remove(trace: StoredTrace): void {
    this.changes++;
    this.traces.delete(trace.traceId);
    this.spanTotal -= trace.spans.size;
    this.counters.evictedSpans += trace.spans.size;
    this.counters.evictedTraces++;
  }
}
