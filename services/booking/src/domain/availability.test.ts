import { describe, expect, it } from 'vitest';
import type { InventoryRepository } from '../db/inventory.repository.js';
import type { SeatStates } from '../db/seat-state-cache.js';
import { availabilityJson, createAvailabilityViews } from './availability.js';
import type { SeatPlace } from './best-available.js';
import { buildSeatLayout } from './seat-layout.js';

const place = (seatId: string, section: string, tier: string, number: number): SeatPlace => ({ seatId, section, row: 'A', number, kind: 'seated', tier, x: number, y: 0 });
const layout = buildSeatLayout(
  [place('A-1', 'Stalls', 'A', 1), place('Zoë "2"\\', 'Stalls', 'A', 2), place('__proto__', '__proto__', 'B', 3), place('7', 'Box', 'B', 4)],
  { x: 0, y: 0 },
);
const states = (seq: number, status: number[], expired = 0, cancelled = false): SeatStates => ({ seq, cancelled, layout, status: Uint8Array.from(status), expired });

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
    // A new seq, a hold run out since, a cancellation: each is another version, rendered anew.
    const versions = [first.version];
    for (const next of [states(2, [1, 0, 0, 0]), states(2, [0, 0, 0, 0], 1), states(3, [0, 0, 0, 0], 0, true)]) {
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
});
