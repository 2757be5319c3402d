/**
 * Seat statuses kept per instance and caught up from the change log (db/seat-state-cache.ts):
 * two instances on one database, each answering availability (and best available) from its own
 * cache, must agree with a fresh read of the database after every kind of change the other one
 * makes — holds, best-available holds, releases, orders, cancellations, expiry and the sweeper —
 * and a buyer must see their own hold at once on any instance.
 */
import { testDialects } from '@stream-seat/db';
import { type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventoryRepository } from '../src/db/inventory.repository.js';
import { coalesced } from '../src/domain/coalesced.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

describe.each(testDialects())('seat statuses cached per instance on %s', (dialect) => {
  let a: BookingTestApp;
  let b: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;
  const newEvent = () => {
    const { event, map } = hallEvent(`cache${++n}-${dialect}`, { rows: 6, seatsPerRow: 12, floor: 0 });
    catalogue.put(event, map);
    return { eventId: event.id, seatIds: map.seats.map((s) => s.id) };
  };
  const post = async (t: BookingTestApp, sub: string, url: string, payload?: object) =>
    t.app.inject({ method: 'POST', url, headers: await t.auth(sub), ...(payload ? { payload } : {}) });
  const availability = async (t: BookingTestApp, eventId: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/availability/${eventId}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { seq: number; cancelled: boolean; seats: Record<string, string> };
  };
  /** The truth, read straight from the tables: an expired hold's seats are AVAILABLE. */
  const fromDatabase = async (eventId: string, now: number) => {
    const inventory = await sql<{ seq: number | string }>`SELECT seq FROM inventories WHERE event_id = ${eventId}`.execute(a.database.db);
    const rows = await sql<{ seat_id: string; status: string; expires_at: number | string | null }>`SELECT seat_id, status, expires_at FROM seats WHERE event_id = ${eventId}`.execute(a.database.db);
    const seats = Object.fromEntries(
      rows.rows.map((r) => [r.seat_id, r.status === 'HELD' && r.expires_at !== null && Number(r.expires_at) <= now ? 'AVAILABLE' : r.status]),
    );
    return { seq: Number(inventory.rows[0]?.seq), seats };
  };
  const expectBothCurrent = async (eventId: string) => {
    // a's read first: the first one creates the inventory.
    const seenByA = await availability(a, eventId);
    const truth = await fromDatabase(eventId, a.now());
    expect(seenByA).toMatchObject(truth);
    expect(await availability(b, eventId)).toMatchObject(truth);
  };

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    const settings = { holdTtlSeconds: 30, maxActiveHoldsPerBuyer: 1_000 };
    a = await createBookingTestApp(dialect, { catalogue, settings });
    b = await createBookingTestApp(dialect, { catalogue, settings, databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('agrees with the database after every kind of change, made on either instance', async () => {
    // Holds run out by the test's clock, and their makers would wake to release them in the
    // background — between a comparison's two reads, under load. Releases come from the sweeps below.
    await Promise.all([a.app.booking.sweeper.stop(), b.app.booking.sweeper.stop()]);
    const { eventId, seatIds } = newEvent();
    await expectBothCurrent(eventId);
    let random = 11;
    const pick = (k: number) => {
      // The LCG's high bits: its low ones repeat with a short period.
      random = (random * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((random / 2_147_483_648) * k);
    };
    const holds: Array<{ id: string; owner: string; at: BookingTestApp }> = [];
    const orders: Array<{ id: string; owner: string }> = [];
    for (let step = 0; step < 100; step++) {
      const at = pick(2) === 0 ? a : b;
      const owner = `buyer-${pick(5)}`;
      const kind = pick(8);
      if (kind <= 1 || holds.length === 0) {
        const first = pick(seatIds.length - 1);
        const res = await post(at, owner, '/api/holds', { eventId, seatIds: [seatIds[first], seatIds[first + 1]] });
        if (res.statusCode === 201) holds.push({ id: res.json().holdId, owner, at });
        else expect(res.statusCode, res.body).toBe(409);
      } else if (kind === 2) {
        const res = await post(at, owner, '/api/holds', { eventId, quantity: 1 + pick(3), together: true });
        if (res.statusCode === 201) holds.push({ id: res.json().holdId, owner, at });
        else expect(res.statusCode, res.body).toBe(409);
      } else if (kind === 3) {
        const [hold] = holds.splice(pick(holds.length), 1);
        if (!hold) continue;
        const res = await at.app.inject({ method: 'DELETE', url: `/api/holds/${hold.id}`, headers: await at.auth(hold.owner) });
        expect(res.statusCode, res.body).toBe(204);
      } else if (kind <= 5) {
        const [hold] = holds.splice(pick(holds.length), 1);
        if (!hold) continue;
        const res = await post(at, hold.owner, '/api/orders', { holdId: hold.id, payment: { token: 'tok_ok' } });
        if (res.statusCode === 201) orders.push({ id: res.json().orderId, owner: hold.owner });
        else expect([409, 410], res.body).toContain(res.statusCode);
      } else if (kind === 6 && orders.length > 0) {
        const [order] = orders.splice(pick(orders.length), 1);
        if (!order) continue;
        const res = await post(at, order.owner, `/api/orders/${order.id}/cancel`);
        expect(res.statusCode, res.body).toBe(200);
      } else {
        // Time passes on both instances: some holds run out — first unswept, then swept.
        const ms = 5_000 * (1 + pick(4));
        a.advance(ms);
        b.advance(ms);
        await expectBothCurrent(eventId);
        if (pick(2) === 0) await at.app.booking.sweeper.sweepOnce();
      }
      await expectBothCurrent(eventId);
    }
    // The sequence did all it is meant to: holds, orders, cancellations, expiry.
    const counts = await sql<{ status: string; n: number }>`SELECT status, COUNT(*) AS n FROM holds WHERE event_id = ${eventId} GROUP BY status`.execute(a.database.db);
    expect(counts.rows.map((r) => r.status).sort()).toEqual(expect.arrayContaining(['EXPIRED', 'ORDERED', 'RELEASED']));
    const cancelled = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM orders WHERE event_id = ${eventId} AND status = 'CANCELLED'`.execute(a.database.db);
    expect(Number(cancelled.rows[0]?.n)).toBeGreaterThan(0);
  });

  it('shows a buyer their hold at once on the other instance, while reads race on both', async () => {
    const { eventId, seatIds } = newEvent();
    await expectBothCurrent(eventId);
    let reading = true;
    // Availability reads in a loop on both instances meanwhile: catch-ups always in flight.
    const readers = [a, b].map(async (t) => {
      let reads = 0;
      while (reading) {
        await availability(t, eventId);
        reads++;
        // On SQLite a read never waits for I/O: let the holds' claim batches have their turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return reads;
    });
    const checks = Array.from({ length: 24 }, async (_, i) => {
      const [holder, reader] = i % 2 === 0 ? [a, b] : [b, a];
      const seats = [seatIds[3 * i], seatIds[3 * i + 1]] as string[];
      const res = await post(holder, `racer-${i}`, '/api/holds', { eventId, seatIds: seats });
      expect(res.statusCode, res.body).toBe(201);
      const seen = await availability(reader, eventId);
      return seats.every((id) => seen.seats[id] === 'HELD');
    });
    const seen = await Promise.allSettled(checks);
    reading = false;
    const reads = await Promise.all(readers);
    expect(seen).toEqual(Array(24).fill({ status: 'fulfilled', value: true }));
    expect(reads.every((r) => r > 0)).toBe(true);
    await expectBothCurrent(eventId);
  });

  it('never answers a read with a catch-up that began before it', async () => {
    const { eventId, seatIds } = newEvent();
    await expectBothCurrent(eventId);
    // A repository on a's database whose reads can be held after the database answered them.
    let gate: Promise<void> | undefined;
    let entered: () => void = () => undefined;
    const gated: KyselyPlugin = {
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => {
        if (gate) {
          entered();
          await gate;
        }
        return result;
      },
    };
    const inventories = createInventoryRepository(a.database.db.withPlugin(gated), a.database.dialect);
    await inventories.snapshot(eventId, a.now());
    let open: () => void = () => undefined;
    gate = new Promise((resolve) => (open = resolve));
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // A catch-up reads the log, and is held with what it read...
    const before = inventories.snapshot(eventId, a.now());
    await inside;
    // ...while a buyer's hold commits on the other instance; then a read asks.
    const res = await post(b, 'late', '/api/holds', { eventId, seatIds: [seatIds[0], seatIds[1]] });
    expect(res.statusCode, res.body).toBe(201);
    const after = inventories.snapshot(eventId, a.now());
    gate = undefined;
    open();
    await before;
    const seen = await after;
    expect([seen?.status[seen.layout.indexOf(seatIds[0] as string) as number], seen?.status[seen.layout.indexOf(seatIds[1] as string) as number]]).toEqual([1, 1]);
  });

  it('learns of a cancellation made without a log entry (an instance of the previous version)', async () => {
    const { eventId, seatIds } = newEvent();
    expect((await post(a, 'old', '/api/holds', { eventId, seatIds: [seatIds[0]] })).statusCode).toBe(201);
    await expectBothCurrent(eventId);
    // What the previous version's cancellation did: close the inventory, no seq, no entry.
    await sql`UPDATE inventories SET status = 'CLOSED' WHERE event_id = ${eventId}`.execute(a.database.db);
    for (const t of [a, b]) expect((await availability(t, eventId)).cancelled).toBe(true);
  });

  it('reads every status afresh when the database went back to a backup and reached the same seq through other changes', async () => {
    const { eventId, seatIds } = newEvent();
    const [first, second] = [seatIds[0] as string, seatIds[1] as string];
    expect((await post(a, 'eve', '/api/holds', { eventId, seatIds: [first] })).statusCode).toBe(201);
    const before = await a.app.inject({ method: 'GET', url: `/api/availability/${eventId}` });
    await availability(b, eventId);
    const { seq } = before.json() as { seq: number };
    // The restore: the last change undone; then another buyer's hold becomes change `seq` instead.
    await sql`UPDATE seats SET status = 'AVAILABLE', hold_id = NULL, expires_at = NULL WHERE event_id = ${eventId} AND seat_id = ${first}`.execute(a.database.db);
    await sql`DELETE FROM seat_changes WHERE event_id = ${eventId} AND seq = ${seq}`.execute(a.database.db);
    await sql`UPDATE inventories SET seq = ${seq - 1} WHERE event_id = ${eventId}`.execute(a.database.db);
    a.advance(5);
    expect((await post(a, 'fay', '/api/holds', { eventId, seatIds: [second] })).statusCode).toBe(201);
    // Both instances (b never heard of the restore) see the database's history, not the one they had read.
    for (const t of [a, b]) {
      const seen = await availability(t, eventId);
      expect(seen.seq).toBe(seq);
      expect([seen.seats[first], seen.seats[second]]).toEqual(['AVAILABLE', 'HELD']);
    }
    await expectBothCurrent(eventId);
    // A client holding the tag of the old history at this seq is not told it is current.
    const revalidated = await b.app.inject({ method: 'GET', url: `/api/availability/${eventId}`, headers: { 'if-none-match': String(before.headers.etag) } });
    expect(revalidated.statusCode).toBe(200);
  });

  it('reads every status afresh when an entry is missing from the log', async () => {
    const { eventId, seatIds } = newEvent();
    await expectBothCurrent(eventId);
    expect((await post(a, 'gap', '/api/holds', { eventId, seatIds: [seatIds[0]] })).statusCode).toBe(201);
    expect((await post(a, 'gap', '/api/holds', { eventId, seatIds: [seatIds[1]] })).statusCode).toBe(201);
    // The first of the two entries b has not read yet goes missing (a restore from backup, a hand edit).
    const { seq } = await availability(a, eventId);
    await sql`DELETE FROM seat_changes WHERE event_id = ${eventId} AND seq = ${seq - 1}`.execute(a.database.db);
    const seen = await availability(b, eventId);
    expect(seen.seq).toBe(seq);
    expect([seen.seats[seatIds[0] as string], seen.seats[seatIds[1] as string]]).toEqual(['HELD', 'HELD']);
    await expectBothCurrent(eventId);
  });
});

describe('coalesced runs', () => {
  it('never runs twice at once, and never answers a caller with a run that began before it asked', async () => {
    let active = 0;
    let most = 0;
    let started = 0;
    // Runs that yield only to promises, as better-sqlite3 under Kysely does.
    const sync = coalesced(async () => {
      started++;
      active++;
      most = Math.max(most, active);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      active--;
    });
    const checks: Array<Promise<boolean>> = [];
    for (let i = 0; i < 200; i++) {
      const asked = started;
      checks.push(sync().then(() => started > asked));
      for (let j = 0; j < i % 7; j++) await Promise.resolve();
    }
    expect(await Promise.all(checks)).toEqual(Array(200).fill(true));
    expect(most).toBe(1);
    expect(started).toBeLessThan(200);
  });
});
