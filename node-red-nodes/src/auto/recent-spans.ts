// The spans one node has open, oldest first. It is the fallback that keeps one trace per flow
// execution when a message leaves the node without `msg.threadline` (a Function node returning a
// new object, split parts, join output): the message is matched to the node's span by `_msgid`
// (or the split's `parts.id`). Spans leave the list when they end; whatever a node never ends
// drops out once it is older than the deadline (the pipeline's sweeper ends it): when the next
// span is added, or at the latest on the owner's periodic prune(), so a node that receives
// nothing more does not keep spans alive. The list never holds more than `max`.

export interface RecentSpan {
  readonly msgid: unknown;
  readonly openedAt: number;
  ended: boolean;
}

/** Compact the backing array once this many slots at its front are dead. */
const COMPACT_AFTER = 256;

export class RecentSpans<T extends RecentSpan> {
  private items: (T | undefined)[] = [];
  private head = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  add(span: T, now: number): void {
    this.prune(now);
    this.items.push(span);
    if (this.items.length - this.head > this.max) this.items[this.head++] = undefined;
  }

  /** Forgets an ended span: cheap at either end, which is where spans of most nodes end. */
  remove(span: T): void {
    const items = this.items;
    if (items[items.length - 1] === span) {
      items.pop();
      while (items.length > this.head && items[items.length - 1]?.ended) items.pop();
    } else if (items[this.head] === span) {
      this.advance();
    }
    // in the middle: stays, marked ended, until it reaches an end or the deadline
  }

  /** The open span this node has for the execution `msgid`, newest first. */
  find(msgid: unknown, now: number): T | undefined {
    if (msgid === undefined) return undefined;
    for (let i = this.items.length - 1; i >= this.head; i--) {
      const span = this.items[i];
      if (span !== undefined && !span.ended && span.msgid === msgid) return span.openedAt + this.ttlMs > now ? span : undefined;
    }
    return undefined;
  }

  /** Drops ended spans and those past the deadline from the front. */
  prune(now: number): void {
    while (this.head < this.items.length) {
      const span = this.items[this.head];
      if (span !== undefined && !span.ended && span.openedAt + this.ttlMs > now) break;
      this.items[this.head++] = undefined;
    }
    this.compact();
  }

  private advance(): void {
    while (this.head < this.items.length && (this.items[this.head] === undefined || this.items[this.head]!.ended)) this.items[this.head++] = undefined;
    this.compact();
  }

  private compact(): void {
    if (this.head === 0) return; // nothing dead at the front; an emptied array keeps its storage for the next add
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
