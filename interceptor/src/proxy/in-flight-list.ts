// The exchanges in flight, as a doubly linked list whose links are cleared when they leave.
//
// Why not a Set: a Set that gains and loses one entry per request rebuilds its hash table every
// few dozen requests, and V8 leaves each replaced table pointing at its successor (for live
// iterators) with its old entries still in it. Once one replaced table sits in the old generation,
// the young-generation collector treats its pointers as roots: the next table and every exchange
// it names (request, response, headers, upstream request) survive and are promoted, the table
// after that too, and so on until the next full collection. Under steady load that turned each
// scavenge into a copy of megabytes of dead requests. A removed link here points at nothing, so a
// finished exchange never keeps a newer one alive.
export interface InFlightLink<T> {
  value: T | undefined;
  previous: InFlightLink<T> | undefined;
  next: InFlightLink<T> | undefined;
}

export class InFlightList<T> {
  private head: InFlightLink<T> | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a value; keep the link to remove it. */
  add(value: T): InFlightLink<T> {
    const link: InFlightLink<T> = { value, previous: undefined, next: this.head };
    if (this.head !== undefined) this.head.previous = link;
    this.head = link;
    this.count++;
    return link;
  }

  /** Removes the link's value (once; a second call does nothing) and clears the link. */
  remove(link: InFlightLink<T>): void {
    if (link.value === undefined) return;
    if (link.previous !== undefined) link.previous.next = link.next;
    else this.head = link.next;
    if (link.next !== undefined) link.next.previous = link.previous;
    link.value = link.previous = link.next = undefined;
    this.count--;
  }

  /** The values now in the list (a copy: removing while iterating it is safe). */
  values(): T[] {
    const values: T[] = [];
    for (let link = this.head; link !== undefined; link = link.next) values.push(link.value!);
    return values;
  }
}
