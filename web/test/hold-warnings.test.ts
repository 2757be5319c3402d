import { describe, expect, it } from 'vitest';
import { holdWarning, spokenTimeLeft } from '../src/hold-warnings.js';

describe('warnings before a hold runs out', () => {
  it('says two minutes, then thirty seconds, each once', () => {
    const given = new Set<number>();
    const said = [600_000, 121_000, 119_600, 119_000, 31_000, 29_400, 10_000, 0].map((left) => holdWarning(left, given));
    expect(said).toEqual([undefined, undefined, '2 minutes left to pay for your seats.', undefined, undefined, '30 seconds left to pay for your seats.', undefined, undefined]);
  });

  it('says the time really left when a threshold is reached late, once for thresholds passed together, and nothing once the time is up', () => {
    // A hold cut short by the end of sales: 36 s at the first tick (it had said "2 minutes left").
    const given = new Set<number>();
    expect(holdWarning(36_000, given)).toBe('36 seconds left to pay for your seats.');
    // Not again six seconds later at the 30 s threshold; a hold first warned at 50 s is, at 30 s.
    expect(holdWarning(29_000, given)).toBeUndefined();
    const earlier = new Set<number>();
    expect(holdWarning(50_000, earlier)).toBe('50 seconds left to pay for your seats.');
    expect(holdWarning(29_500, earlier)).toBe('30 seconds left to pay for your seats.');
    expect(holdWarning(20_000, new Set())).toBe('20 seconds left to pay for your seats.');
    expect(holdWarning(0, new Set())).toBeUndefined();
  });

  it('speaks minutes and seconds as people say them', () => {
    expect([150_000, 119_500, 75_000, 59_001, 1_000, 400].map(spokenTimeLeft)).toEqual(['3 minutes', '2 minutes', '1 minute', '60 seconds', '1 second', '1 second']);
  });
});
