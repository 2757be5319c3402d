/**
 * Creating an event's inventory: its seats are copied 500 to a statement, each committed on its
 * own, and the inventories row comes last. Other events' buyers are served meanwhile (SQLite has
 * one connection: one transaction for the copy made them wait for all of it); a creation that died
 * half-way is completed; an event cancelled before it had an inventory keeps no seats.
 * On SQLite and on MariaDB.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventoryRepository } from '../src/db/inventory.repository.js';
import { type PlannedSeat, planInventory } from '../src/domain/inventory-plan.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

describe.each(testDialects())('inventory creation on %s', (dialect) => {
  let t: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;
  const newEvent = (options: Parameters<typeof hallEvent>[1]) => {
    const { event, map } = hallEvent(`inv${++n}-${dialect}`, options);
    catalogue.put(event, map);
    return { eventId: event.id, map };
  };
  const availability = (eventId: string) => t.app.inject({ method: 'GET', url: `/api/availability/${eventId}` });
  const seatCount = async (eventId: string) =>
    Number((await t.database.db.selectFrom('seats').select((eb) => eb.fn.countAll().as('n')).where('event_id', '=', eventId).executeTakeFirstOrThrow()).n);

  /** Seat rows as a creation that stopped half-way leaves them: no inventories row. */
  const leaveSeats = (eventId: string, seats: PlannedSeat[]) =>
    t.database.db
      .insertInto('seats')
      .values(
        seats.map((s) => ({
          event_id: eventId, seat_id: s.seatId, section: s.section, row_label: s.row, seat_number: s.number, kind: s.kind, tier: s.tier,
          price_cents: s.priceCents, x: s.x, y: s.y, status: 'AVAILABLE' as const, hold_id: null, expires_at: null, order_id: null,
        })),
      )
      .execute();

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    t = await createBookingTestApp(dialect, { catalogue, settings: { holdTtlSeconds: 600, maxActiveHoldsPerBuyer: 5 } });
  });
  afterAll(() => t.close());

  // On MariaDB every transaction has a connection of its own: this held before too. On SQLite the
  // copy in one transaction kept the one connection until its end.
  it('holds seats of another event while it copies a large venue’s seats', async () => {
    const small = newEvent({ rows: 2, seatsPerRow: 10, floor: 0 });
    expect((await availability(small.eventId)).statusCode).toBe(200);
    const large = newEvent({ rows: 40, seatsPerRow: 500, floor: 0 });
    // The copy begins once the catalogue has handed over the seat map: the hold is sent then.
    const copyStarting = catalogue.nextSeatMapServed();
    const creating = availability(large.eventId);
    await copyStarting;
    const held = await t.app.inject({ method: 'POST', url: '/api/holds', headers: await t.auth('ada'), payload: { eventId: small.eventId, seatIds: ['ORCH-A-1'] } });
    expect(held.statusCode, held.body).toBe(201);
    // Answered while the copy still runs: the large event has no inventories row yet.
    expect(await t.database.db.selectFrom('inventories').select('event_id').where('event_id', '=', large.eventId).executeTakeFirst()).toBeUndefined();
    expect((await creating).json().counts.AVAILABLE).toBe(20_000);
  });

  it('makes an inventory only under the catalogue’s own id, not one it matched without case', async () => {
    const { eventId } = newEvent({ rows: 1, seatsPerRow: 4, floor: 0 });
    // A catalogue on MySQL that still compares ids without case (before its exact-text migration).
    const { event, seatMap } = catalogue;
    catalogue.event = (id, caller) => event(id.toLowerCase(), caller);
    catalogue.seatMap = (id, caller) => seatMap(id.toLowerCase(), caller);
    try {
      const shouted = eventId.toUpperCase();
      expect((await availability(shouted)).statusCode).toBe(404);
      const rows = await t.database.db.selectFrom('inventories').select('event_id').where('event_id', 'in', [shouted, eventId]).execute();
      expect(rows.map((r) => r.event_id)).not.toContain(shouted);
      expect((await availability(eventId)).statusCode).toBe(200);
    } finally {
      Object.assign(catalogue, { event, seatMap });
    }
  });

  it('completes the seats a creation that died half-way left, and makes them the plan’s', async () => {
    const { eventId, map } = newEvent({ rows: 3, seatsPerRow: 400, floor: 0 });
    // What a creation that died after its first statements left: seats, and no inventories row —
    // one of them not in this plan (a release that planned otherwise).
    const seats = planInventory(map);
    const stray = { ...seats[0]!, seatId: 'ORCH-Z-1', row: 'Z' };
    await leaveSeats(eventId, [...seats.slice(0, 700), stray]);
    const res = await availability(eventId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().counts.AVAILABLE).toBe(1_200);
    expect(await seatCount(eventId)).toBe(1_200);
    expect(res.json().seats['ORCH-Z-1']).toBeUndefined();
    const held = await t.app.inject({ method: 'POST', url: '/api/holds', headers: await t.auth('bo'), payload: { eventId, seatIds: ['ORCH-A-1', 'ORCH-C-400'] } });
    expect(held.statusCode, held.body).toBe(201);
  });

  it('keeps no seats for an event cancelled before it had an inventory, whichever finishes first', async () => {
    const inventories = createInventoryRepository(t.database.db, t.database.dialect);
    const header = (map: ReturnType<typeof newEvent>['map']) => ({ organizerId: 'org-1', currency: map.currency, stage: map.stage, startsAt: Date.now() + 86_400_000, salesStartAt: null, salesEndAt: null, maxSeatsPerOrder: 10 });

    // The cancellation comes while a creation is copying (its first seats are in, 19 statements
    // to go): the creation, finding the closed, empty inventory at its end, removes what it wrote.
    const first = newEvent({ rows: 20, seatsPerRow: 500, floor: 0 });
    const creating = inventories.create(first.eventId, header(first.map), planInventory(first.map), t.now());
    await expect.poll(() => seatCount(first.eventId), { interval: 1 }).toBeGreaterThan(0);
    expect(await inventories.close(first.eventId, t.now())).toBeUndefined();
    expect(await creating).toBe('exists');
    expect(await seatCount(first.eventId)).toBe(0);
    expect((await inventories.find(first.eventId))?.status).toBe('CLOSED');

    // A creation died half-way, then the cancellation came: its seats go with it.
    const second = newEvent({ rows: 2, seatsPerRow: 300, floor: 0 });
    const seats = planInventory(second.map);
    await leaveSeats(second.eventId, seats.slice(0, 100));
    await inventories.close(second.eventId, t.now());
    expect(await seatCount(second.eventId)).toBe(0);
    // A creation still copying then failed before its end (a lost connection): its seats stay, and
    // are not the event's.
    await leaveSeats(second.eventId, seats.slice(100, 150));
    const res = await availability(second.eventId);
    expect(res.json()).toMatchObject({ cancelled: true, seats: {}, counts: { AVAILABLE: 0, HELD: 0, BOOKED: 0 } });
  });
});
