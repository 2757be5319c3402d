/**
 * A request that went silent without dying — its instance frozen (SIGSTOP, a long GC pause, a VM
 * migrated) — has its Idempotency-Key taken over by a repeat, which does the work. When the frozen
 * request comes back, its own work must not commit too: the transaction that would commit it finds
 * the reservation gone, and the request answers with the key's answer, as a repeat would. Before,
 * it held a second block of seats under the same key (and answered 201 for it), or answered 409
 * to a payment its repeat had turned into an order. On SQLite and, when MYSQL_URL is set, on
 * MariaDB.
 *
 * Two instances share the database; the second one's clock runs SILENT_AFTER_MS and more ahead,
 * so the first one's heartbeats read as silent to it: a frozen instance, as seen by the other.
 */
import { randomUUID } from 'node:crypto';
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { createIdempotencyRepository, fenceReservation, type IdempotencyRepository, type KeyReservation } from '../src/db/idempotency.repository.js';
import { createHoldRepository } from '../src/db/hold.repository.js';
import { createOrderRepository } from '../src/db/order.repository.js';
import type { HoldTable } from '../src/db/schema.js';
import { createSeatClaimRepository } from '../src/db/seat-claim.repository.js';
import { inTransaction } from '../src/db/transaction.js';
import type { CatalogueClient } from '../src/domain/catalogue-client.js';
import { paidOrder } from '../src/domain/order-placement.js';
import { SILENT_AFTER_MS } from '../src/routes/idempotency.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

/** A catalogue whose event lookups wait while it is paused: a request frozen mid-way, after it reserved its key. */
function pausable(catalogue: CatalogueClient) {
  let resume: (() => void) | undefined;
  let paused: Promise<void> | undefined;
  let arrived: () => void = () => undefined;
  const client: CatalogueClient = {
    ...catalogue,
    async event(...args) {
      if (paused) {
        arrived();
        await paused;
      }
      return catalogue.event(...args);
    },
  };
  return {
    client,
    /** Pauses lookups; resolves once one is waiting. */
    pause(): Promise<void> {
      paused = new Promise<void>((resolve) => (resume = resolve));
      return new Promise<void>((resolve) => (arrived = resolve));
    },
    resume() {
      paused = undefined;
      resume?.();
    },
  };
}

describe.each(testDialects())('a request taken over while it was frozen, on %s', (dialect) => {
  let catalogue: InMemoryCatalogue;
  let frozen: ReturnType<typeof pausable>;
  /** The instance that freezes. */
  let a: BookingTestApp;
  /** The other instance, where the buyer's repeat lands. */
  let b: BookingTestApp;
  let n = 0;
  const newEvent = () => {
    const { event, map } = hallEvent(`fence${++n}-${dialect}`);
    catalogue.put(event, map);
    return event.id;
  };
  const post = async (app: BookingTestApp, sub: string, url: string, key: string, payload: Record<string, unknown>) =>
    app.app.inject({ method: 'POST', url, headers: { ...(await app.auth(sub)), 'idempotency-key': key }, payload });
  /** A hold of one seat, made on the other instance (no key); its id. */
  const holdOnB = async (sub: string, eventId: string, seatId: string): Promise<string> => {
    const made = await b.app.inject({ method: 'POST', url: '/api/holds', headers: await b.auth(sub), payload: { eventId, seatIds: [seatId] } });
    expect(made.statusCode, made.body).toBe(201);
    return made.json().holdId as string;
  };
  /**
   * The request sent to the first instance freezes (in its catalogue lookup, its key reserved);
   * its repeat on the other instance takes the key over and answers 201; then the first resumes.
   * Both answers.
   */
  const frozenThenRepeated = async (sub: string, url: string, key: string, body: Record<string, unknown>) => {
    const stalled = frozen.pause();
    const first = post(a, sub, url, key, body);
    await stalled;
    const repeat = await post(b, sub, url, key, body);
    expect(repeat.statusCode, repeat.body).toBe(201);
    frozen.resume();
    return { answer: await first, repeat };
  };
  /** The first instance's idempotency keys, as a repeat elsewhere would see and take them. */
  let keys: IdempotencyRepository;
  const HASH = 'the-request-digest';

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    frozen = pausable(catalogue);
    a = await createBookingTestApp(dialect, { catalogue: frozen.client });
    b = await createBookingTestApp(dialect, { catalogue, databaseUrl: a.databaseUrl });
    b.advance(SILENT_AFTER_MS + 2_000);
    keys = createIdempotencyRepository(a.database.db);
  });
  afterAll(async () => {
    frozen?.resume();
    await b?.close();
    await a?.close();
  });

  it('makes one hold under one key: the frozen request answers with the hold its repeat made', async () => {
    const eventId = newEvent();
    const { answer, repeat } = await frozenThenRepeated('kim', '/api/holds', 'kim-hold-1', { eventId, quantity: 2, together: true });
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.headers['idempotent-replayed']).toBe('true');
    expect(answer.json().holdId).toBe(repeat.json().holdId);
    // Before, the frozen request held two more seats for kim under the same key.
    const holds = await a.database.db.selectFrom('holds').select(['id', 'seat_ids_json']).where('event_id', '=', eventId).where('buyer_id', '=', 'kim').execute();
    expect(holds.map((h) => h.id)).toEqual([repeat.json().holdId]);
    const held = await a.database.db.selectFrom('seats').select('seat_id').where('event_id', '=', eventId).where('status', '=', 'HELD').execute();
    expect(held.map((s) => s.seat_id).sort()).toEqual([...repeat.json().seatIds].sort());
  });

  it('writes one order under one key, and gives the frozen request its charge back', async () => {
    const eventId = newEvent();
    const holdId = await holdOnB('lee', eventId, 'ORCH-A-1');
    const body = { holdId, payment: { token: 'tok_ok' } };
    // The first payment stalls mid-charge: its request is silent to the other instance meanwhile.
    a.payments.chargeDelayMs = 1_000;
    try {
      const first = post(a, 'lee', '/api/orders', 'lee-pay-1', body);
      await eventually(() => a.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).executeTakeFirst(), 5_000, 'the first payment attempt');
      const repeat = await post(b, 'lee', '/api/orders', 'lee-pay-1', body);
      expect(repeat.statusCode, repeat.body).toBe(201);
      const answer = await first;
      // Before: 409, the hold already ordered — by the buyer's own repeat of this very request.
      expect(answer.statusCode, answer.body).toBe(201);
      expect(answer.headers['idempotent-replayed']).toBe('true');
      expect(answer.json().orderId).toBe(repeat.json().orderId);
      const orders = await a.database.db.selectFrom('orders').select('payment_id').where('hold_id', '=', holdId).execute();
      expect(orders).toHaveLength(1);
      // The frozen request's own charge went through late: it is refunded, the order's is not.
      const refunded = [...a.payments.refunds.keys()];
      expect(refunded).toHaveLength(1);
      expect(refunded).not.toContain(orders[0]?.payment_id);
    } finally {
      a.payments.chargeDelayMs = 0;
    }
  });

  it('charges nothing for a payment whose key a repeat took over before its charge began', async () => {
    const eventId = newEvent();
    const body = { holdId: await holdOnB('ned', eventId, 'ORCH-A-2'), payment: { token: 'tok_ok' } };
    const refundsBefore = a.payments.refunds.size;
    // The first payment stalls before its charge (asking the catalogue whether the event was cancelled).
    const { answer, repeat } = await frozenThenRepeated('ned', '/api/orders', 'ned-pay-1', body);
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json().orderId).toBe(repeat.json().orderId);
    // Before, it charged the card again, and refunded it when its order was refused.
    expect(a.payments.refunds.size).toBe(refundsBefore);
  });

  it('claims, in one batch, the holds of requests still holding their keys, and none for one taken over', async () => {
    const eventId = newEvent();
    await holdOnB('opal', eventId, 'ORCH-A-1'); // the event's inventory, made by a first hold
    const now = a.now();
    const reservation = async (key: string) => {
      expect(await keys.reserve('opal', key, HASH, now)).toBe('reserved');
      return { owner: 'opal', key, reservedAt: now };
    };
    const [first, lost, last] = [await reservation('opal-1'), await reservation('opal-2'), await reservation('opal-3')];
    const seen = await keys.find('opal', 'opal-2');
    if (!seen) throw new Error('the reservation is gone');
    expect(await keys.takeOver('opal', 'opal-2', seen, HASH, now + 1)).toBe(true);
    const request = (holdId: string, seatIds: string[], reserved: KeyReservation) => ({
      holdId,
      eventId,
      buyerId: 'opal',
      seatIds,
      currency: 'EUR',
      totalCents: 0,
      now,
      expiresAt: now + 60_000,
      maxActiveHolds: 10,
      reservation: { ...reserved, answer: (hold: HoldTable) => ({ status: 201, body: { holdId: hold.id } }) },
    });
    const outcomes = await createSeatClaimRepository(a.database).claimBatch(eventId, [
      request(randomUUID(), ['ORCH-A-3'], first),
      request(randomUUID(), ['ORCH-A-4'], lost),
      request(randomUUID(), ['ORCH-A-5'], last),
    ]);
    expect(outcomes.map((o) => (o.ok ? o.value.hold.seat_ids_json : o.error.name))).toEqual(['["ORCH-A-3"]', 'ReservationTakenOver', '["ORCH-A-5"]']);
    const held = await a.database.db.selectFrom('seats').select('seat_id').where('event_id', '=', eventId).where('status', '=', 'HELD').execute();
    expect(held.map((s) => s.seat_id).sort()).toEqual(['ORCH-A-1', 'ORCH-A-3', 'ORCH-A-5']);
    // Each key's answer was stored with its hold, in the same transaction: a request that froze
    // right after it, before recording its answer, is replayed — not taken over and run again (a
    // probe had two holds under one key that way). The key taken over keeps its repeat's.
    const stored = await a.database.db.selectFrom('idempotency_keys').select(['idem_key', 'status_code', 'response_json']).where('owner', '=', 'opal').orderBy('idem_key').execute();
    const holdOf = (i: number) => (outcomes[i]?.ok ? outcomes[i].value.hold.id : undefined);
    expect(stored.map((r) => [r.idem_key, r.status_code === null ? null : Number(r.status_code), r.response_json])).toEqual([
      ['opal-1', 201, JSON.stringify({ holdId: holdOf(0) })],
      ['opal-2', null, null],
      ['opal-3', 201, JSON.stringify({ holdId: holdOf(2) })],
    ]);
  });

  it('stores the key’s answer with the order it confirms', async () => {
    const eventId = newEvent();
    const hold = await createHoldRepository(a.database.db).find(await holdOnB('pat', eventId, 'ORCH-A-3'));
    if (!hold) throw new Error('the hold is gone');
    const now = a.now();
    expect(await keys.reserve('pat', 'pat-1', HASH, now)).toBe('reserved');
    const { order, tickets } = paidOrder(hold, randomUUID(), 'pay_test_fence', now);
    await a.database.db.insertInto('payment_attempts').values({ reference: order.id, hold_id: hold.id, amount_cents: hold.total_cents, currency: hold.currency, payment_id: 'pay_test_fence', created_at: now, recheck_at: null }).execute();
    await createOrderRepository(a.database.db).confirm(hold, order, tickets, now, {
      owner: 'pat',
      key: 'pat-1',
      reservedAt: now,
      answer: (placed) => ({ status: 201, body: { orderId: placed.order.id } }),
    });
    const stored = await keys.find('pat', 'pat-1');
    expect([stored?.status_code, stored?.response_json]).toEqual([201, JSON.stringify({ orderId: order.id })]);
  });

  it('does not let a repeat take over a reservation heard from after the repeat judged it silent', async () => {
    const reservedAt = a.now();
    expect(await keys.reserve('mo', 'mo-1', HASH, reservedAt)).toBe('reserved');
    // A repeat reads the reservation and judges it silent...
    const seen = await keys.find('mo', 'mo-1');
    if (!seen) throw new Error('the reservation is gone');
    // ...while its request's work commits (at the same millisecond as its reservation, even)...
    await inTransaction(a.database.db, (trx) => fenceReservation(trx, { owner: 'mo', key: 'mo-1', reservedAt }, reservedAt));
    // ...so the repeat must not run it again.
    expect(await keys.takeOver('mo', 'mo-1', seen, HASH, b.now())).toBe(false);
    // Without a commit in between, the same take-over wins.
    const now = await keys.find('mo', 'mo-1');
    if (!now) throw new Error('the reservation is gone');
    expect(await keys.takeOver('mo', 'mo-1', now, HASH, b.now())).toBe(true);
  });

  it('tells a repeat to retry later (409) while the request it repeats holds its key in its commit, and leaves the key to it', async () => {
    // A third instance, as silent-judging as the second, that waits for a running request briefly.
    const c = await createBookingTestApp(dialect, { catalogue, databaseUrl: a.databaseUrl, settings: { idempotencyWaitMs: 200 }, queryTimeoutMs: 1_500 });
    c.advance(SILENT_AFTER_MS + 2_000);
    const reservedAt = a.now();
    const reservation = { owner: 'rue', key: 'rue-1', reservedAt };
    expect(await keys.reserve('rue', 'rue-1', HASH, reservedAt)).toBe('reserved');
    // The request froze inside the transaction that commits its work: its key is locked until then.
    let commit: () => void = () => undefined;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let fenced: () => void = () => undefined;
    const inItsCommit = new Promise<void>((resolve) => (fenced = resolve));
    const frozenCommit = inTransaction(a.database.db, async (trx) => {
      await fenceReservation(trx, reservation, reservedAt);
      fenced();
      await committing;
    });
    try {
      await inItsCommit;
      const repeat = await post(c, 'rue', '/api/holds', 'rue-1', { eventId: newEvent(), quantity: 1 });
      // Before: 503 "too many buyers", after the lock wait — for a request that was running all along.
      expect(repeat.statusCode, repeat.body).toBe(409);
      expect(repeat.json().type).toMatch(/idempotency-in-progress$/);
      expect(repeat.headers['retry-after']).toBe('1');
    } finally {
      commit();
      await frozenCommit;
      await c.close();
    }
    // The key is still the request's own, heard from by its commit: not taken over.
    const after = await keys.find('rue', 'rue-1');
    expect([after?.created_at, after?.status_code]).toEqual([reservedAt, null]);
  });

  it('compares a reservation of the release before (no heartbeat: alive_at null) as it was seen, too', async () => {
    for (const committed of [true, false]) {
      const key = `old-${committed}`;
      const reservedAt = a.now();
      expect(await keys.reserve('mo', key, HASH, reservedAt)).toBe('reserved');
      await a.database.db.updateTable('idempotency_keys').set({ alive_at: null }).where('idem_key', '=', key).execute();
      const seen = await keys.find('mo', key);
      expect(seen?.alive_at).toBeNull();
      if (!seen) throw new Error('the reservation is gone');
      if (committed) await inTransaction(a.database.db, (trx) => fenceReservation(trx, { owner: 'mo', key, reservedAt }, reservedAt));
      expect(await keys.takeOver('mo', key, seen, HASH, b.now())).toBe(!committed);
    }
  });
});
