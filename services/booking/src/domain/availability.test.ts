import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { InventoryRepository } from '../db/inventory.repository.js';
import type { SeatStates } from '../db/seat-state-cache.js';
import { availabilityJson, createAvailabilityViews, MAX_CONCURRENT_COMPRESSIONS, MIN_COMPRESSED_BYTES } from './availability.js';
import type { SeatPlace } from './best-available.js';
import { buildSeatLayout } from './seat-layout.js';

const place = (seatId: string, section: string, tier: string, number: number): SeatPlace => ({ seatId, section, row: 'A', number, kind: 'seated', tier, x: number, y: 0 });
const layout = buildSeatLayout(
  [place('A-1', 'Stalls', 'A', 1), place('Zoë "2"\\', 'Stalls', 'A', 2), place('__proto__', '__proto__', 'B', 3), place('7', 'Box', 'B', 4)],
  { x: 0, y: 0 },
);
const states = (seq: number, status: number[], expired = 0, cancelled = false, seqAt = 1_000): SeatStates => ({ seq, seqAt, cancelled, layout, status: Uint8Array.from(status), expired });

describe('availability as JSON', () => {
  it('is the Availability of the statuses, whatever the seat and section names hold', () => {
    const parsed = JSON.parse(availabilityJson('ev-1', states(9, [0, 1, 2, 0])).toString('utf8'));
    expect(parsed).toEqual({
      eventId: 'ev-1',
      seq: 9,
      cancelled: false,
      seats: { 'A-1': 'AVAILABLE', 'Zoë "2"\\': 'HELD', ['__proto__']: 'BOOKED', '7': 'AVAILABLE' },
      counts: {
        AVAILABLE: 2,
        HELD: 1,
        BOOKED: 1,
        bySection: { Stalls: { available: 1, total: 2 }, ['__proto__']: { available: 0, total: 1 }, Box: { available: 1, total: 1 } },
        byTier: { A: { available: 1, total: 2 }, B: { available: 1, total: 2 } },
      },
    });
    expect(Object.keys(parsed.seats)).toHaveLength(4);
    expect(Object.prototype).not.toHaveProperty('available');
  });
});

describe('availability views', () => {
  /** An inventory whose statuses the test sets; counts how often they were rendered by object identity. */
  function viewsOver(current: { value: SeatStates | undefined }, maxBytes?: number) {
    const inventories = { snapshot: async () => current.value } as unknown as InventoryRepository;
    return createAvailabilityViews(inventories, maxBytes);
  }

  it('renders once per version of the statuses and hands later readers the same bytes', async () => {
    const current = { value: states(1, [0, 0, 0, 0]) as SeatStates | undefined };
    const views = viewsOver(current);
    const first = await views.current('ev', 0);
    current.value = states(1, [0, 0, 0, 0]);
    expect(await views.current('ev', 0)).toBe(first);
    const versions = [first.version];
    // A new seq, a hold run out since, a cancellation, the same seq logged at another time (a
    // database restored from a backup that reached it again): each is another version, rendered anew.
    for (const next of [states(2, [1, 0, 0, 0]), states(2, [0, 0, 0, 0], 1), states(3, [0, 0, 0, 0], 0, true), states(3, [0, 1, 0, 0], 0, true, 2_000)]) {
      current.value = next;
      const view = await views.current('ev', 0);
      expect(versions).not.toContain(view.version);
      versions.push(view.version);
      expect(JSON.parse(view.json.toString()).seq).toBe(next.seq);
    }
    current.value = undefined;
    await expect(views.current('ev', 0)).rejects.toThrow(/Availability of event ev/);
  });

  it('keeps renderings within its byte bound, the least recently read going first', async () => {
    const current = { value: states(1, [0, 0, 0, 0]) as SeatStates | undefined };
    const size = (await viewsOver(current).current('x', 0)).json.length;
    const views = viewsOver(current, 2 * size);
    const a = await views.current('a', 0);
    const b = await views.current('b', 0);
    expect(await views.current('a', 0)).toBe(a); // a read again: b is now the oldest
    await views.current('c', 0);
    expect(await views.current('a', 0)).toBe(a);
    expect(await views.current('b', 0)).not.toBe(b);
  });

  describe('in codings', () => {
    const hall = buildSeatLayout(
      Array.from({ length: 400 }, (_, i) => place(`HALL-${i}`, 'Floor', 'A', i)),
      { x: 0, y: 0 },
    );
    const large = (seq: number): SeatStates => ({ seq, seqAt: 1_000, cancelled: false, layout: hall, status: new Uint8Array(400), expired: 0 });

    it('compresses once per version and coding, readers sharing it; an answer too small to gain stays identity', async () => {
      const current = { value: large(1) as SeatStates | undefined };
      const views = viewsOver(current);
      const view = await views.current('ev', 0);
      expect(view.json.length).toBeGreaterThan(MIN_COMPRESSED_BYTES);
      const [a, b] = await Promise.all([view.body('gzip'), view.body('gzip')]);
      expect(a.coding).toBe('gzip');
      expect(b.bytes).toBe(a.bytes);
      expect((await view.body('gzip')).bytes).toBe(a.bytes);
      expect(gunzipSync(a.bytes).equals(view.json)).toBe(true);
      expect(await view.body('identity')).toEqual({ coding: 'identity', bytes: view.json });
      current.value = large(2);
      const next = await views.current('ev', 0);
      expect(gunzipSync((await next.body('gzip')).bytes).equals(next.json)).toBe(true);
      expect(JSON.parse(next.json.toString()).seq).toBe(2);

      current.value = states(1, [0, 0, 0, 0]);
      const small = await views.current('small', 0);
      expect(small.json.length).toBeLessThan(MIN_COMPRESSED_BYTES);
      expect((await small.body('br')).coding).toBe('identity');
    });

    it('serves identity rather than queue a compression behind the ones under way', async () => {
      const current = { value: large(1) as SeatStates | undefined };
      const views = viewsOver(current);
      const events = Array.from({ length: MAX_CONCURRENT_COMPRESSIONS + 1 }, (_, i) => `ev-${i}`);
      const rendered = await Promise.all(events.map((id) => views.current(id, 0)));
      const bodies = await Promise.all(rendered.map((view) => view.body('br')));
      expect(bodies.map((b) => b.coding)).toEqual([...Array.from({ length: MAX_CONCURRENT_COMPRESSIONS }, () => 'br'), 'identity']);
      // Once those are done, the last one gets its compression too.
      expect((await rendered.at(-1)!.body('br')).coding).toBe('br');
    });

    it('counts compressed copies against its byte bound', async () => {
      const current = { value: large(1) as SeatStates | undefined };
      const probe = await viewsOver(current).current('x', 0);
      const gzipped = (await probe.body('gzip')).bytes.length;
      // Room for two answers and one compressed copy, not two.
      const views = viewsOver(current, 2 * probe.json.length + gzipped + 1);
      const a = await views.current('a', 0);
      await a.body('gzip');
      const b = await views.current('b', 0);
      await b.body('gzip');
      expect(await views.current('b', 0)).toBe(b);
      // a (read least recently) gave way when b's copy came; b stays.
      expect(await views.current('a', 0)).not.toBe(a);
    });
  });
});
