import { describe, expect, it } from 'vitest';
import { createInFlight } from './in-flight.js';

describe('work shared while in flight', () => {
  it('runs a key once for concurrent callers, and again once it settled, failed or not', async () => {
    const inFlight = createInFlight();
    let runs = 0;
    const load = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return runs;
    };
    const crowd = await Promise.all([inFlight.run('a', load), inFlight.run('a', load), inFlight.run('b', load)]);
    expect(runs).toBe(2);
    expect(crowd[0]).toBe(crowd[1]);
    expect(inFlight.size).toBe(0);
    const failing = inFlight.run('a', async () => {
      throw new Error('down');
    });
    expect(inFlight.has('a')).toBe(true);
    await expect(failing).rejects.toThrow('down');
    expect(inFlight.has('a')).toBe(false);
    expect(await inFlight.run('a', load)).toBe(3);
  });
});
