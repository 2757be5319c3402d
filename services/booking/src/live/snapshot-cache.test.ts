import type { Availability } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { createSnapshotCache } from './snapshot-cache.js';

const availability = (seq: number): Availability => ({
  eventId: 'e1',
  seq,
  cancelled: false,
  seats: { 'A-1': 'AVAILABLE' },
  counts: { AVAILABLE: 1, HELD: 0, BOOKED: 0, bySection: {}, byTier: {} },
});

const rendered = (a: Availability) => ({ seq: a.seq, json: Buffer.from(JSON.stringify(a)) });

describe('the snapshot cache', () => {
  it('shares one read among concurrent callers and reads again once it is too old', async () => {
    let now = 0;
    let reads = 0;
    const cache = createSnapshotCache(async () => rendered(availability(++reads)), () => now, 1_000);
    const [a, b] = await Promise.all([cache.get('e1'), cache.get('e1')]);
    expect(reads).toBe(1);
    expect(a).toBe(b);
    expect(a.frame.bytes.toString()).toBe(`event: snapshot\nid: 1\ndata: ${JSON.stringify(availability(1))}\n\n`);
    now = 999;
    expect((await cache.get('e1')).seq).toBe(1);
    now = 1_000;
    expect((await cache.get('e1')).seq).toBe(2);
    expect((await cache.fresh('e1')).seq).toBe(3);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const cache = createSnapshotCache(async () => {
      if (fail) throw new Error('database down');
      return rendered(availability(5));
    }, () => 0, 1_000);
    await expect(cache.get('e1')).rejects.toThrow('database down');
    fail = false;
    expect((await cache.get('e1')).seq).toBe(5);
  });

  it('frames a rendering once, however often it is read again while the seats stand', async () => {
    let now = 0;
    const unchanged = rendered(availability(7));
    const cache = createSnapshotCache(async () => unchanged, () => now, 1_000);
    const first = await cache.get('e1');
    now = 5_000;
    const later = await cache.fresh('e1');
    expect(later).toBe(first);
    expect(later.frame.deflated).toBe(first.frame.deflated);
  });
});
