import { describe, expect, it } from 'vitest';
import { retryPauseMs } from './refunds.js';

describe('pauses between refund (and cancellation) retries', () => {
  it('double from 5 s and never exceed an hour', () => {
    expect([1, 2, 3, 4].map(retryPauseMs)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(retryPauseMs(10)).toBe(2_560_000);
    expect(retryPauseMs(11)).toBe(3_600_000);
    expect(retryPauseMs(1_000)).toBe(3_600_000);
  });
});
