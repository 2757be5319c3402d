import { describe, expect, it } from 'vitest';
import { createSizedCache } from './sized-cache.js';

/** A loader that counts its calls and resolves with a value of the event's size (in its id). */
function loader() {
  const calls: string[] = [];
  const load = async (eventId: string) => {
    calls.push(eventId);
    if (eventId === 'missing') return undefined;
    if (eventId === 'broken') throw new Error('database down');
    return { eventId, size: Number(eventId.split('-')[1]) };
  };
  return { calls, load };
}

describe('the sized cache of per-event values (seat layouts, seat prices)', () => {
  it('loads a value once however many ask at the same time, and keeps it', async () => {
    const { calls, load } = loader();
    const cache = createSizedCache(load, (v) => v.size, 100);
    const values = await Promise.all([cache.get('e-10'), cache.get('e-10'), cache.get('e-10')]);
    expect(values.map((v) => v?.size)).toEqual([10, 10, 10]);
    await cache.get('e-10');
    expect(calls).toEqual(['e-10']);
    expect(cache.size()).toBe(10);
  });

  it('forgets the least recently used values past its bound, but keeps the newest whatever its size', async () => {
    const { calls, load } = loader();
    const cache = createSizedCache(load, (v) => v.size, 100);
    await cache.get('a-40');
    await cache.get('b-40');
    await cache.get('a-40'); // a is now the most recently used of the two
    await cache.get('c-40'); // 120 > 100: b goes, a stays
    expect(cache.size()).toBe(80);
    await cache.get('a-40');
    await cache.get('b-40');
    expect(calls).toEqual(['a-40', 'b-40', 'c-40', 'b-40']);
    await cache.get('huge-500');
    expect(cache.size()).toBe(500);
  });

  it('keeps neither a failed load nor one that found nothing', async () => {
    const { calls, load } = loader();
    const cache = createSizedCache(load, (v) => v.size, 100);
    await expect(cache.get('broken')).rejects.toThrow('database down');
    expect(await cache.get('missing')).toBeUndefined();
    await cache.get('broken').catch(() => undefined);
    await cache.get('missing');
    expect(calls).toEqual(['broken', 'missing', 'broken', 'missing']);
    expect(cache.size()).toBe(0);
  });
});
