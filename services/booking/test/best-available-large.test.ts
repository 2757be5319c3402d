/**
 * Best available on a 100,000-seat event (the largest venue the catalogue allows): the seats it
 * picks, and how much it reads. An event's layout and its taken seats are read once per instance;
 * afterwards a request reads only the change-log entries since the last one — not every seat of
 * the venue, which on SQLite (synchronous) blocked the whole process for about a second per
 * request, nor every taken seat, 100 ms per request once most were sold.
 */
import { testDialects } from '@stream-seat/db';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventoryRepository } from '../src/db/inventory.repository.js';
import { bestAvailableIn } from '../src/domain/best-available.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

describe.each(testDialects())('best available on a 100,000-seat event on %s', (dialect) => {
  let t: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;
  const newEvent = (options: Parameters<typeof hallEvent>[1]) => {
    const { event, map } = hallEvent(`big${++n}-${dialect}`, options);
    catalogue.put(event, map);
    return event.id;
  };
  const hold = async (sub: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/holds', headers: await t.auth(sub), payload: body });

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    t = await createBookingTestApp(dialect, { catalogue, settings: { holdTtlSeconds: 600, maxActiveHoldsPerBuyer: 20 } });
  });
  afterAll(() => t.close());

  it('picks the seats it always picked, and racing holds get separate blocks', async () => {
    // 200 rows of 500 seats; the stage faces the middle of row A.
    const eventId = newEvent({ rows: 200, seatsPerRow: 500, floor: 0 });
    // What the list-and-sort best available picked on this event before layouts were cached.
    for (const [body, seats] of [
      [{ quantity: 2 }, ['ORCH-A-250', 'ORCH-A-251']],
      [{ quantity: 2, together: true }, ['ORCH-B-250', 'ORCH-B-251']],
      [{ quantity: 4, section: 'ORCH', tier: 'A' }, ['ORCH-A-246', 'ORCH-A-247', 'ORCH-A-248', 'ORCH-A-249']],
      [{ quantity: 2 }, ['ORCH-A-252', 'ORCH-A-253']],
      [{ quantity: 2 }, ['ORCH-B-248', 'ORCH-B-249']],
    ] as const) {
      const res = await hold('ann', { eventId, ...body });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().seatIds).toEqual(seats);
    }
    const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => hold(`racer-${i}`, { eventId, quantity: 2, together: true })));
    expect(racing.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    const taken = racing.flatMap((r) => r.json().seatIds as string[]);
    expect(new Set(taken).size).toBe(20);
    const availability = (await t.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).json();
    expect(availability.counts).toMatchObject({ AVAILABLE: 100_000 - 32, HELD: 32, BOOKED: 0, bySection: { ORCH: { available: 100_000 - 32, total: 100_000 } } });
    for (const seatId of taken) expect(availability.seats[seatId]).toBe('HELD');
  });

  it('reads the layout and the taken seats once, then only the changes since', async () => {
    const eventId = newEvent({ rows: 200, seatsPerRow: 500, floor: 10 });
    expect((await t.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).statusCode).toBe(200);
    // A repository of its own (fresh caches) on the app's database, counting the rows it reads.
    let rowsRead = 0;
    const counting: KyselyPlugin = {
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => {
        rowsRead += result.rows.length;
        return result;
      },
    };
    const inventories = createInventoryRepository(t.database.db.withPlugin(counting), t.database.dialect);
    const first = await inventories.freeSeats(eventId, t.now());
    expect(first?.layout.size).toBe(100_010);
    expect(rowsRead).toBeGreaterThanOrEqual(100_010);
    rowsRead = 0;
    await inventories.freeSeats(eventId, t.now());
    // Nothing changed: the inventory's row (its seq), no seat, no log entry.
    expect(rowsRead).toBe(1);

    for (const [sub, quantity] of [['bea', 3], ['cid', 2], ['dan', 5]] as const) {
      expect((await hold(sub, { eventId, quantity, together: true })).statusCode).toBe(201);
    }
    rowsRead = 0;
    const seats = await inventories.freeSeats(eventId, t.now());
    if (!seats) throw new Error('no inventory');
    // The inventory's row, the three holds' log entries and their ten seats' expiry, not the
    // venue's 100,010 seats. (At seq 0 the history check needs no log entry: the inventory's
    // creation time names it.)
    expect(rowsRead).toBe(1 + 3 + 10);
    expect(seats.free.reduce((sum, f) => sum + f, 0)).toBe(100_000);
    // The next pick takes those seats into account: the block a hold gets.
    const next = bestAvailableIn(seats.layout, seats.free, { quantity: 2, together: true, random: () => 0 });
    expect((await hold('eve', { eventId, quantity: 2, together: true })).json().seatIds).toEqual(next);

    rowsRead = 0;
    const snapshot = await inventories.snapshot(eventId, t.now());
    // The inventory's row, the log entry at the seq it had (still the same history?), the new
    // entry and its two seats' expiry.
    expect(rowsRead).toBe(1 + 1 + 1 + 2);
    expect(snapshot?.status.filter((s) => s !== 0)).toHaveLength(12);

    // An expired hold's seats are free at once, sweeper or not.
    t.advance(601_000);
    const later = await inventories.freeSeats(eventId, t.now());
    expect(later?.free.reduce((sum, f) => sum + f, 0)).toBe(100_010);
  });
});
