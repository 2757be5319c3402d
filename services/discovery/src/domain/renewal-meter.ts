/**
 * Counts lease renewals over a sliding window (one minute by default) in one-second buckets, so
 * that "renewals in the last minute" is cheap to record 10,000 times a minute and cheap to read.
 */

export interface RenewalMeter {
  record(now: number): void;
  /** Renewals recorded in the window that ends at `now`. */
  count(now: number): number;
}

export function createRenewalMeter(windowMs = 60_000, bucketMs = 1_000): RenewalMeter {
  const size = Math.max(1, Math.ceil(windowMs / bucketMs));
  const buckets = new Array<number>(size).fill(0);
  let head = -1;
  let total = 0;

  function advance(now: number): number {
    const current = Math.floor(now / bucketMs);
    if (head < 0) head = current;
    const steps = Math.min(current - head, size);
    for (let s = 1; s <= steps; s++) {
      const index = (head + s) % size;
      total -= buckets[index] as number;
      buckets[index] = 0;
    }
    if (current > head) head = current;
    return head % size;
  }

  return {
    record(now) {
      const index = advance(now);
      buckets[index] = (buckets[index] as number) + 1;
      total++;
    },
    count(now) {
      advance(now);
      return total;
    },
  };
}
