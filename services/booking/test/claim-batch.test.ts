/**
 * The claim batcher against real databases: holds of one event that arrive together are claimed
 * in one transaction, yet each succeeds or fails on its own, seats go to one hold only, the buyer
 * limit counts the batch's own holds, and seq numbers stay contiguous. On SQLite and on MariaDB.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type Database, databaseConfigFor, openServiceDatabase, startDatabase, type TestDatabase, testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoldRepository } from '../src/db/hold.repository.js';
import { createInventoryRepository } from '../src/db/inventory.repository.js';
import { bookingMigrations } from '../src/db/migrations/index.js';
import type { BookingDatabase } from '../src/db/schema.js';
import { type ClaimRequest, createSeatClaimRepository } from '../src/db/seat-claim.repository.js';
import { EventNotOnSale, SeatsUnavailable, TooManyHolds } from '../src/domain/booking-errors.js';
import { createClaimBatcher, type SeatClaimer } from '../src/domain/claim-batcher.js';
import { bestAvailableChoices } from '../src/domain/best-available.js';
import { planInventory } from '../src/domain/inventory-plan.js';
import { buildSeatLayout } from '../src/domain/seat-layout.js';
import { hallEvent } from './in-memory-catalogue.js';

describe.each(testDialects())('claim batches on %s', (dialect) => {
  let testDb: TestDatabase;
  let database: Database<BookingDatabase>;
  let claims: SeatClaimer;
  /** The size of every transaction the batcher ran, in order. */
  let batchSizes: number[];
  /** Runs while a batch's transaction is under way (to send more claims meanwhile). */
  let duringBatch: (() => void) | undefined;

  async function newEvent(): Promise<string> {
    const eventId = `ev-${randomUUID().slice(0, 8)}`;
    const { map } = hallEvent(eventId, { rows: 2, seatsPerRow: 10, floor: 0 });
    await createInventoryRepository(database.db, database.dialect).create(eventId, { organizerId: 'org', currency: 'EUR', stage: map.stage, startsAt: Date.now() + 86_400_000, salesStartAt: null, salesEndAt: null, maxSeatsPerOrder: 10 }, planInventory(map), Date.now());
    return eventId;
  }

  function request(eventId: string, buyerId: string, seatIds: string[], maxActiveHolds = 10): ClaimRequest {
    const now = Date.now();
    return { holdId: randomUUID(), eventId, buyerId, seatIds, currency: 'EUR', totalCents: 100, now, expiresAt: now + 600_000, maxActiveHolds };
  }

  /** Sends the claims in the same tick, so that they form one batch; settles them all. */
  function together(requests: ClaimRequest[]) {
    return Promise.allSettled(requests.map((r) => claims.claim(r)));
  }

  const seatsOf = (eventId: string) =>
    database.db.selectFrom('seats').select(['seat_id', 'status', 'hold_id']).where('event_id', '=', eventId).execute();
  const activeHolds = (eventId: string) =>
    database.db.selectFrom('holds').select(['id', 'buyer_id']).where('event_id', '=', eventId).where('status', '=', 'ACTIVE').execute();

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect, 'claim_batch');
    database = openServiceDatabase<BookingDatabase>(databaseConfigFor(testDb.url), testDb.url);
    await startDatabase(database, bookingMigrations(database.dialect));
    const repository = createSeatClaimRepository(database);
    claims = createClaimBatcher(async (eventId, requests) => {
      batchSizes.push(requests.length);
      const running = repository.claimBatch(eventId, requests);
      duringBatch?.();
      duringBatch = undefined;
      return running;
    });
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('gives best-available holds of one batch the first of their choices still free, each priced as its choice', async () => {
    const eventId = await newEvent();
    batchSizes = [];
    // Three buyers picked from the same view: ORCH-A-1 first, then their next-best blocks.
    const pick = (buyerId: string): ClaimRequest => ({
      ...request(eventId, buyerId, ['ORCH-A-1']),
      totalCents: 100,
      alternatives: [
        { seatIds: ['ORCH-A-2'], totalCents: 200 },
        { seatIds: ['ORCH-B-1'], totalCents: 300 },
      ],
      bestAvailable: true,
    });
    const requests = ['x', 'y', 'z', 'w'].map(pick);
    const results = await together(requests);
    expect(batchSizes).toEqual([4]);
    expect(results.slice(0, 3).map((r) => (r.status === 'fulfilled' ? [JSON.parse(r.value.hold.seat_ids_json), r.value.hold.total_cents] : r.reason))).toEqual([
      [['ORCH-A-1'], 100],
      [['ORCH-A-2'], 200],
      [['ORCH-B-1'], 300],
    ]);
    const stored = await database.db.selectFrom('holds').select(['buyer_id', 'total_cents']).where('event_id', '=', eventId).orderBy('buyer_id').execute();
    expect(stored.map((h) => [h.buyer_id, Number(h.total_cents)])).toEqual([['x', 100], ['y', 200], ['z', 300]]);
    // None left for the fourth: refused without naming seats it never asked for.
    const last = results[3];
    expect(last?.status === 'rejected' && last.reason).toBeInstanceOf(SeatsUnavailable);
    expect(last?.status === 'rejected' && (last.reason as SeatsUnavailable).fields).toEqual({ unavailable: [] });
    // Each seat held by the hold that got it.
    const held = (await seatsOf(eventId)).filter((s) => s.status === 'HELD').map((s) => s.seat_id).sort();
    expect(held).toEqual(['ORCH-A-1', 'ORCH-A-2', 'ORCH-B-1']);
  });

  it('serves as many best-available holds of one batch, picked from the same view, as their disjoint choices allow', async () => {
    const eventId = await newEvent();
    batchSizes = [];
    const { map } = hallEvent(eventId, { rows: 2, seatsPerRow: 10, floor: 0 });
    const layout = buildSeatLayout(planInventory(map), map.stage);
    // Ten buyers ask for a pair at once; each computed its choices from the same empty view.
    const choices = bestAvailableChoices(layout, new Uint8Array(layout.size).fill(1), { quantity: 2, together: true }, 8);
    const [first, ...rest] = choices;
    const requests = Array.from({ length: 10 }, (_, i): ClaimRequest => ({
      ...request(eventId, `pair-${i}`, first?.seatIds ?? []),
      keepWhole: first?.keepWhole,
      alternatives: rest.map((c) => ({ ...c, totalCents: 100 })),
      bestAvailable: true,
    }));
    const results = await together(requests);
    expect(batchSizes).toEqual([10]);
    // Each of the 8 choices served one buyer. The best blocks had been windows sliding a seat at a
    // time (5-6, 4-5, 6-7, 3-4, …): 4 of them could be held together, and 6 buyers were refused.
    const held = results.flatMap((r) => (r.status === 'fulfilled' ? [JSON.parse(r.value.hold.seat_ids_json) as string[]] : []));
    expect(held).toHaveLength(8);
    expect(new Set(held.flat()).size).toBe(16);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as SeatsUnavailable).fields).toEqual({ unavailable: [] });
  });

  it('gives a seat wanted by many holds of one batch to exactly one of them', async () => {
    const eventId = await newEvent();
    batchSizes = [];
    // Everybody wants ORCH-A-1, each with one seat of their own besides.
    const requests = Array.from({ length: 10 }, (_, i) => request(eventId, `b${i}`, ['ORCH-A-1', `ORCH-B-${i + 1}`]));
    const results = await together(requests);
    expect(batchSizes).toEqual([10]);
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [requests[i] as ClaimRequest] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(SeatsUnavailable);
    // Losers held nothing, not even their uncontested seat.
    const held = (await seatsOf(eventId)).filter((s) => s.status === 'HELD');
    expect(held.map((s) => [s.seat_id, s.hold_id]).sort()).toEqual(
      [['ORCH-A-1', won[0]?.holdId], [won[0]?.seatIds[1], won[0]?.holdId]].sort(),
    );
    expect((await activeHolds(eventId)).map((h) => h.id)).toEqual([won[0]?.holdId]);
  });

  it('refuses a buyer past the limit within one batch, counting the batch’s own holds', async () => {
    const eventId = await newEvent();
    batchSizes = [];
    const results = await together([1, 2, 3, 4].map((n) => request(eventId, 'greedy', [`ORCH-A-${n}`], 2)));
    expect(batchSizes).toEqual([4]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    for (const r of results.slice(2)) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TooManyHolds);
    expect(await activeHolds(eventId)).toHaveLength(2);
    expect((await seatsOf(eventId)).filter((s) => s.status === 'HELD')).toHaveLength(2);
  });

  it('keeps the other holds of a batch when one of them fails', async () => {
    const eventId = await newEvent();
    await claims.claim(request(eventId, 'early', ['ORCH-A-5']));
    batchSizes = [];
    const results = await together([
      request(eventId, 'x', ['ORCH-A-1', 'ORCH-A-2']),
      request(eventId, 'y', ['ORCH-A-4', 'ORCH-A-5']),
      request(eventId, 'z', ['ORCH-A-7']),
    ]);
    expect(batchSizes).toEqual([3]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.fields).toEqual({ unavailable: ['ORCH-A-5'] });
    const status = new Map((await seatsOf(eventId)).map((s) => [s.seat_id, s.status]));
    expect([...['ORCH-A-1', 'ORCH-A-2', 'ORCH-A-5', 'ORCH-A-7'].map((id) => status.get(id))]).toEqual(['HELD', 'HELD', 'HELD', 'HELD']);
    expect(status.get('ORCH-A-4')).toBe('AVAILABLE');
  });

  it('claims the holds that arrive during a transaction together in the next, with contiguous seq numbers', async () => {
    const eventId = await newEvent();
    batchSizes = [];
    const late: Array<Promise<unknown>> = [];
    duringBatch = () => {
      for (let n = 1; n <= 5; n++) late.push(claims.claim(request(eventId, `late${n}`, [`ORCH-B-${n}`])));
    };
    const first = await Promise.all([1, 2, 3].map((n) => claims.claim(request(eventId, `first${n}`, [`ORCH-A-${n}`]))));
    const second = (await Promise.all(late)) as typeof first;
    expect(batchSizes).toEqual([3, 5]);
    const seqs = [...first, ...second].map((r) => r.batch.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const stored = await database.db.selectFrom('seat_changes').select(['seq', 'changes_json']).where('event_id', '=', eventId).orderBy('seq').execute();
    expect(stored.map((c) => Number(c.seq))).toEqual(seqs);
    expect(JSON.parse(stored[3]?.changes_json ?? '[]')).toEqual([{ seatId: 'ORCH-B-1', status: 'HELD' }]);
    expect(await createInventoryRepository(database.db, database.dialect).currentSeq(eventId)).toBe(8);
  });

  it('holds nothing for a cancelled event', async () => {
    const eventId = await newEvent();
    await createInventoryRepository(database.db, database.dialect).close(eventId, Date.now());
    const results = await together([request(eventId, 'a', ['ORCH-A-1']), request(eventId, 'b', ['ORCH-A-2'])]);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(EventNotOnSale);
    expect(await activeHolds(eventId)).toHaveLength(0);
  });

  it('claims race releases of the same seats without a deadlock reaching anyone', async () => {
    const eventId = await newEvent();
    const holds = createHoldRepository(database.db);
    const seats = (await seatsOf(eventId)).map((s) => s.seat_id).sort();
    const failures: unknown[] = [];
    let released = 0;
    let stop = false;
    // Four claimers — each its own batcher, as on four instances — sending batches of 20 holds for
    // the event's 20 seats, while two releasers give holds back as soon as they exist: claims and
    // releases lock the same rows all the time.
    const repository = createSeatClaimRepository(database);
    const claimer = async (n: number) => {
      const instance = createClaimBatcher(repository.claimBatch);
      for (let round = 0; round < 60; round++) {
        const batch = seats.map((seat, i) => instance.claim(request(eventId, `c${n}-${i}`, [seat], 1_000)));
        for (const result of await Promise.allSettled(batch)) {
          if (result.status === 'rejected' && !(result.reason instanceof SeatsUnavailable)) failures.push(result.reason);
        }
      }
    };
    const releaser = async () => {
      while (!stop) {
        const active = await database.db.selectFrom('holds').selectAll().where('event_id', '=', eventId).where('status', '=', 'ACTIVE').limit(5).execute();
        for (const hold of active) {
          try {
            if (await holds.release({ ...hold, expires_at: Number(hold.expires_at), created_at: Number(hold.created_at) }, 'RELEASED', Date.now())) released++;
          } catch (error) {
            failures.push(error);
          }
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const releasing = Promise.all([releaser(), releaser()]);
    await Promise.all([0, 1, 2, 3].map(claimer));
    stop = true;
    await releasing;
    expect(failures.map((f) => String(f))).toEqual([]);
    expect(released).toBeGreaterThan(20);
    // And still: no seat in two live holds, and seq contiguous with the stored changes.
    const rows = await seatsOf(eventId);
    const live = new Set((await activeHolds(eventId)).map((h) => h.id));
    for (const row of rows) if (row.status === 'HELD') expect(live.has(row.hold_id ?? '')).toBe(true);
    const stored = await database.db.selectFrom('seat_changes').select('seq').where('event_id', '=', eventId).orderBy('seq').execute();
    expect(stored.map((c) => Number(c.seq))).toEqual(stored.map((_, i) => i + 1));
  }, 60_000);
});
