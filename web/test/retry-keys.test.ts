import { describe, expect, it } from 'vitest';
import { retryKeys } from '../src/retry-keys.js';

describe('a form\'s Idempotency-Keys', () => {
  it('sends the same body again under its key, and a changed body under a new one', () => {
    let n = 0;
    const keyFor = retryKeys(() => `k${++n}`);
    const venue = { name: 'Hall', sections: [{ id: 'A', capacity: 10 }] };
    expect(keyFor(venue)).toBe('k1');
    expect(keyFor(structuredClone(venue))).toBe('k1');
    // A section removed by a click (no input event): a new key, not a 422 under the old one.
    expect(keyFor({ ...venue, sections: [] })).toBe('k2');
    // Back to the first body: a new key still (the server knows k1's answer, but k2 came between).
    expect(keyFor(venue)).toBe('k3');
    expect(keyFor(venue)).toBe('k3');
  });
});
