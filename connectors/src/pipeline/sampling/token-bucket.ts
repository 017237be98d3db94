/** Clock in milliseconds; monotonic by default so wall-clock jumps do not refill the bucket. */
export type MillisClock = () => number;

export const monotonicMillis: MillisClock = () => performance.now();

/**
 * Allows `ratePerSecond` events per second on average with bursts up to one second's worth.
 * A rate of 0 (or less, or NaN) allows nothing; Infinity allows everything.
 */
export class TokenBucket {
  private readonly capacity: number;
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: MillisClock = monotonicMillis,
  ) {
    this.capacity = ratePerSecond > 0 ? Math.max(1, ratePerSecond) : 0;
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    if (this.ratePerSecond === Infinity) return true;
    if (!(this.capacity > 0)) return false;
    const now = this.now();
    const elapsed = now - this.last;
    this.last = now;
    if (elapsed > 0) this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
