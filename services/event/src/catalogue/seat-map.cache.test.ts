import { describe, expect, it } from 'vitest';
import { createSeatMapCache } from './seat-map.cache.js';

describe('seat map cache', () => {
  it('evicts the least recently used entry when over its size', () => {
    const cache = createSeatMapCache(10);
    cache.set('a', Buffer.from('aaaa'));
    cache.set('b', Buffer.from('bbbb'));
    expect(cache.get('a')?.toString()).toBe('aaaa'); // a is now the most recent
    cache.set('c', Buffer.from('cccc'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.toString()).toBe('aaaa');
    expect(cache.get('c')?.toString()).toBe('cccc');
    expect(cache.size()).toBe(8);
  });

  it('does not keep an entry larger than the whole cache', () => {
    const cache = createSeatMapCache(3);
    cache.set('big', Buffer.from('xxxx'));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size()).toBe(0);
  });
});
