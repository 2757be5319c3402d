import { describe, expect, it } from 'vitest';
import { holdWarning } from '../src/hold-warnings.js';

describe('warnings before a hold runs out', () => {
  it('says two minutes, then thirty seconds, each once', () => {
    const given = new Set<number>();
    const said = [600_000, 121_000, 120_000, 119_000, 31_000, 30_000, 10_000, 0].map((left) => holdWarning(left, given));
    expect(said).toEqual([undefined, undefined, '2 minutes left to pay for your seats.', undefined, undefined, '30 seconds left to pay for your seats.', undefined, undefined]);
  });

  it('says only the latest due for a page opened late, and nothing once the time is up', () => {
    expect(holdWarning(20_000, new Set())).toBe('30 seconds left to pay for your seats.');
    expect(holdWarning(0, new Set())).toBeUndefined();
  });
});
