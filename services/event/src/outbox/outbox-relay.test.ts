import { describe, expect, it } from 'vitest';
import { backoffDelay } from './outbox-relay.js';

describe('backoffDelay', () => {
  it('doubles per attempt from the base, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, 1_000))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(5, 100, 1_000)).toBe(1_000);
    expect(backoffDelay(60, 100, 1_000)).toBe(1_000);
  });
});
