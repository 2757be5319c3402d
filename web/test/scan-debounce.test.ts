import { describe, expect, it } from 'vitest';
import { createScanDebounce } from '../src/scan-debounce.js';

describe('scans from a camera', () => {
  it('counts a code once while it stays in view, and again after it was out of view long enough', () => {
    let now = 0;
    const scans = createScanDebounce(1_500, () => now);
    const frames = (codes: Array<string | undefined>) =>
      codes.map((code) => {
        now += 200;
        return scans.seen(code);
      });
    // Held in front of the camera for two seconds, with frames that miss it now and then.
    expect(frames(['A', 'A', undefined, 'A', 'A', undefined, 'A', 'A', 'A', 'A'])).toEqual(['A', ...Array(9).fill(undefined)]);
    // Another ticket meanwhile is its own scan.
    expect(frames(['B', 'A'])).toEqual(['B', undefined]);
    // Gone for 1.6 s, then shown again: a second scan (the desk says "already checked in").
    expect(frames(Array(8).fill(undefined))).toEqual(Array(8).fill(undefined));
    expect(frames(['A'])).toEqual(['A']);
  });
});
