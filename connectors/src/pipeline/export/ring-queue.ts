/** Fixed-capacity FIFO: O(1) push and batch take, memory bounded by the capacity. */
export class RingQueue<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** False when full. */
  push(item: T): boolean {
    if (this.size === this.capacity) return false;
    this.slots[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return true;
  }

  /** Removes and returns up to `max` items, oldest first. */
  take(max: number): T[] {
    const count = Math.min(max, this.size);
    const items = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      items[i] = this.slots[this.head] as T;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.size -= count;
    return items;
  }

  /** Empties the queue and returns how many items it held. */
  clear(): number {
    const count = this.size;
    this.take(count);
    return count;
  }
}
