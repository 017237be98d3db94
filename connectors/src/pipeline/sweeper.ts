// The only span state a process keeps between steps: records the caller chose to track, each with
// a deadline. A record still open at its deadline is ended as abandoned and marked incomplete, so
// a span never leaks and never vanishes silently.
import type { SpanRecord } from '../model';

/** Remembered abandoned records, so a late end does not export the span a second time. */
const ABANDONED_MEMORY = 10_000;

export interface SweeperOptions {
  /** How often overdue records are looked for. */
  intervalMillis: number;
  now?: () => number;
}

interface Tracked {
  record: SpanRecord;
  deadline: number;
}

function keyOf(record: SpanRecord): string {
  return `${record.traceId}-${record.spanId}`;
}

/** Tracked records by span id (no key to build per call); the rare same span id in two traces goes to `clashes`. */
class TrackedRecords {
  private readonly bySpanId = new Map<string, Tracked>();
  private readonly clashes = new Map<string, Tracked>();

  get size(): number {
    return this.bySpanId.size + this.clashes.size;
  }

  set(entry: Tracked): void {
    const spanId = entry.record.spanId;
    const held = this.bySpanId.get(spanId);
    if (held === undefined || held.record.traceId === entry.record.traceId) this.bySpanId.set(spanId, entry);
    else this.clashes.set(keyOf(entry.record), entry);
  }

  delete(record: SpanRecord): boolean {
    const held = this.bySpanId.get(record.spanId);
    if (held !== undefined && held.record.traceId === record.traceId) return this.bySpanId.delete(record.spanId);
    return this.clashes.size > 0 && this.clashes.delete(keyOf(record));
  }

  /** Removes and returns the entries `take` picks. */
  takeWhere(take: (entry: Tracked) => boolean): Tracked[] {
    const taken: Tracked[] = [];
    for (const map of [this.bySpanId, this.clashes]) {
      for (const [key, entry] of map) {
        if (take(entry)) {
          taken.push(entry);
          map.delete(key);
        }
      }
    }
    return taken;
  }
}

export class RecordSweeper {
  private readonly tracked = new TrackedRecords();
  private readonly abandoned = new Set<string>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `endAbandoned` ends one record as abandoned; it must not throw (the pipeline's does not). */
  constructor(
    private readonly endAbandoned: (record: SpanRecord) => void,
    private readonly options: SweeperOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.tracked.size;
  }

  /** Track `record` until it is untracked or `timeoutMillis` from now passes. */
  track(record: SpanRecord, timeoutMillis: number): void {
    if (this.stopped) return;
    const wait = Number.isFinite(timeoutMillis) ? Math.max(0, timeoutMillis) : 0;
    this.tracked.set({ record, deadline: this.now() + wait });
    this.startTimer();
  }

  /** The timer stops at the next sweep that finds nothing tracked, not here: spans open and end all the time. */
  untrack(record: SpanRecord): boolean {
    return this.tracked.delete(record);
  }

  wasAbandoned(record: SpanRecord): boolean {
    return this.abandoned.size > 0 && this.abandoned.has(keyOf(record));
  }

  /** Ends every record past its deadline; returns how many. */
  sweep(now: number = this.now()): number {
    const overdue = this.tracked.takeWhere((entry) => entry.deadline <= now);
    for (const entry of overdue) this.abandon(entry.record);
    if (this.tracked.size === 0) this.stopTimer();
    return overdue.length;
  }

  /** Stops the timer for good; records still tracked are ended as abandoned now. */
  stop(): number {
    this.stopped = true;
    this.stopTimer();
    const remaining = this.tracked.takeWhere(() => true);
    for (const entry of remaining) this.abandon(entry.record);
    return remaining.length;
  }

  private abandon(record: SpanRecord): void {
    const key = keyOf(record);
    this.abandoned.add(key);
    if (this.abandoned.size > ABANDONED_MEMORY) {
      const oldest = this.abandoned.values().next().value;
      if (oldest !== undefined) this.abandoned.delete(oldest);
    }
    this.endAbandoned(record);
  }

  private startTimer(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setInterval(() => this.sweep(), Math.max(1, this.options.intervalMillis));
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
