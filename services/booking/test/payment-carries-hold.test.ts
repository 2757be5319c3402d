/**
 * A payment begun in a hold's last moments carries the hold until the payment can be through:
 * nobody else claims its seats, the sweeper leaves it, every instance shows the seats held — and
 * declined cards tried again and again do not carry it more than one payment past its term. On
 * SQLite and, when MYSQL_URL is set, on MariaDB.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { createHoldRepository } from '../src/db/hold.repository.js';
import { paymentCarryMs } from '../src/domain/order-placement.js';
import { SILENT_AFTER_MS } from '../src/routes/idempotency.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

const PAYMENT_TIMEOUT_MS = 1_000;
/** How long a payment carries its hold: past the Idempotency-Key's takeover (this timeout is shorter), then the order's writing. */
const CARRY_MS = paymentCarryMs(PAYMENT_TIMEOUT_MS, SILENT_AFTER_MS);

describe('how long a payment carries its hold', () => {
  it('outlasts the Idempotency-Key takeover, so that a repeat after its instance died still finds the hold', () => {
    // A 3 s payment timeout had carried 8 s: a repeat took the key over after 10 s and got 410.
    expect(paymentCarryMs(3_000, SILENT_AFTER_MS)).toBe(SILENT_AFTER_MS + 5_000);
    expect(paymentCarryMs(20_000, SILENT_AFTER_MS)).toBe(25_000);
  });
});

describe.each(testDialects())('a payment carrying its hold on %s', (dialect) => {
  let t: BookingTestApp;
  /** A second instance on the same database: its seat statuses come from the change log. */
  let other: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;
  /** An event on sale; `salesEndInMs`: its sales end that long from now (else at its start). */
  const newEvent = (salesEndInMs?: number) => {
    const { event, map } = hallEvent(`carry${++n}-${dialect}`);
    catalogue.put(salesEndInMs === undefined ? event : { ...event, salesEndAt: new Date(t.now() + salesEndInMs).toISOString() }, map);
    return event.id;
  };
  const post = async (app: BookingTestApp, sub: string, url: string, payload: Record<string, unknown>) =>
    app.app.inject({ method: 'POST', url, headers: await app.auth(sub), payload });
  const seatStatus = async (app: BookingTestApp, eventId: string, seatId: string) =>
    ((await app.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).json() as { seats: Record<string, string> }).seats[seatId];
  const holdOf = async (sub: string, holdId: string) => (await t.app.inject({ method: 'GET', url: `/api/holds/${holdId}`, headers: await t.auth(sub) })).json();
  /** Both instances' clocks forward by `ms`. */
  const advance = (ms: number) => {
    t.advance(ms);
    other.advance(ms);
  };

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    t = await createBookingTestApp(dialect, { catalogue, settings: { paymentTimeoutMs: PAYMENT_TIMEOUT_MS } });
    other = await createBookingTestApp(dialect, { catalogue, databaseUrl: t.databaseUrl, settings: { paymentTimeoutMs: PAYMENT_TIMEOUT_MS } });
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('keeps the seats of a hold whose payment began in its last second until the order is written', async () => {
    const eventId = newEvent();
    const made = await post(t, 'pia', '/api/holds', { eventId, seatIds: ['ORCH-A-1', 'ORCH-A-2'] });
    expect(made.statusCode).toBe(201);
    const holdId = made.json().holdId as string;
    // Both instances have read the seats held (and when their hold runs out).
    expect(await seatStatus(other, eventId, 'ORCH-A-1')).toBe('HELD');
    advance(Date.parse(made.json().expiresAt) - t.now() - 500);
    t.payments.chargeDelayMs = 600; // within the payment's timeout, longer than the hold had left
    try {
      const paying = post(t, 'pia', '/api/orders', { holdId, payment: { token: 'tok_ok' } });
      await eventually(() => t.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).executeTakeFirst(), 5_000, 'the payment attempt');
      const carriedTo = Date.parse((await holdOf('pia', holdId)).expiresAt);
      expect(carriedTo).toBeGreaterThan(t.now() + CARRY_MS - 1_000);
      // Past the hold's first end: the seats are still the paying buyer's, on both instances.
      advance(2_000);
      const rival = await post(other, 'quinn', '/api/holds', { eventId, seatIds: ['ORCH-A-2'] });
      expect(rival.statusCode).toBe(409);
      expect(await t.app.booking.sweeper.sweepOnce()).toBe(0);
      expect(await seatStatus(other, eventId, 'ORCH-A-1')).toBe('HELD');
      expect((await holdOf('pia', holdId)).status).toBe('ACTIVE');
      const paid = await paying;
      expect(paid.statusCode).toBe(201);
      expect(paid.json().tickets).toHaveLength(2);
    } finally {
      t.payments.chargeDelayMs = 0;
    }
    expect(await seatStatus(other, eventId, 'ORCH-A-2')).toBe('BOOKED');
  });

  for (const cut of ['its time to live', 'the end of sales'] as const) {
    it(`carries a hold no more than one payment past its term (${cut}), however many declined cards are tried`, async () => {
      // A hold made a minute before sales end runs out then, not after its ten minutes.
      const eventId = cut === 'the end of sales' ? newEvent(60_000) : newEvent();
      const made = await post(t, 'rae', '/api/holds', { eventId, seatIds: ['ORCH-B-1'] });
      const holdId = made.json().holdId as string;
      const term = Date.parse(made.json().expiresAt);
      expect(term - t.now()).toBeLessThanOrEqual(cut === 'the end of sales' ? 60_000 : 600_000);
      advance(term - t.now() - 500);
      const declined = async () => (await post(t, 'rae', '/api/orders', { holdId, payment: { token: 'tok_declined' } })).statusCode;
      expect(await declined()).toBe(402);
      // The decline kept the hold, carried past its term.
      let end = Date.parse((await holdOf('rae', holdId)).expiresAt);
      expect(end).toBeGreaterThan(term);
      // Card after card, each a moment before the hold's end: never past one carry beyond the term.
      // (Past the end of sales, a new card is not taken at all: 409, below.)
      for (let card = 0; card < 4; card++) {
        advance(Math.max(0, end - t.now() - 500));
        expect(await declined()).toBe(cut === 'the end of sales' ? 409 : 402);
        const next = Date.parse((await holdOf('rae', holdId)).expiresAt);
        expect(next).toBeGreaterThanOrEqual(end);
        expect(next, `card ${card + 2}`).toBeLessThanOrEqual(term + CARRY_MS);
        end = next;
      }
      advance(end - t.now() + 1);
      // The next card comes too late; the seat is for sale again.
      expect((await post(t, 'rae', '/api/orders', { holdId, payment: { token: 'tok_ok' } })).statusCode).toBe(410);
      if (cut === 'its time to live') expect((await post(other, 'sid', '/api/holds', { eventId, seatIds: ['ORCH-B-1'] })).statusCode).toBe(201);
    });
  }

  it('refuses a payment begun after the end of sales on a hold a declined card carried past it, charging nothing', async () => {
    const eventId = newEvent(30_000);
    const made = await post(t, 'wes', '/api/holds', { eventId, seatIds: ['ORCH-C-5'] });
    const holdId = made.json().holdId as string;
    const salesEnd = Date.parse(made.json().expiresAt);
    advance(salesEnd - t.now() - 300);
    expect((await post(t, 'wes', '/api/orders', { holdId, payment: { token: 'tok_declined' } })).statusCode).toBe(402);
    expect(Date.parse((await holdOf('wes', holdId)).expiresAt)).toBeGreaterThan(salesEnd + 1_000);
    // Sales have closed; the hold still runs on its carry. A new card is not taken (it had sold the seat, 201).
    advance(1_000);
    const attemptsBefore = (await t.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).execute()).length;
    const late = await post(t, 'wes', '/api/orders', { holdId, payment: { token: 'tok_ok' } });
    expect(late.statusCode).toBe(409);
    expect(late.json().type).toMatch(/event-not-on-sale$/);
    expect(late.json().detail).toMatch(/sales closed/);
    expect((await t.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).execute()).length).toBe(attemptsBefore);
  });

  it('charges nothing, and carries nothing, when a seat of the hold went to another hold meanwhile (it ran out by that instance’s clock)', async () => {
    const eventId = newEvent();
    const made = await post(t, 'tom', '/api/holds', { eventId, seatIds: ['ORCH-D-1', 'ORCH-D-2'] });
    const holdId = made.json().holdId as string;
    const term = Date.parse(made.json().expiresAt);
    advance(term - t.now() - 500);
    // The other instance's clock is a second ahead: there, the hold ran out, and its seat is taken.
    other.advance(1_000);
    try {
      expect((await post(other, 'una', '/api/holds', { eventId, seatIds: ['ORCH-D-2'] })).statusCode).toBe(201);
      const refunds = t.payments.refundLog.length;
      const paid = await post(t, 'tom', '/api/orders', { holdId, payment: { token: 'tok_ok' } });
      expect(paid.statusCode).toBe(410);
      // Refused before the card was charged (it had been charged, then refunded), and not carried.
      expect(await t.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).execute()).toEqual([]);
      expect(t.payments.refundLog.length).toBe(refunds);
      expect(Number((await t.database.db.selectFrom('holds').select('expires_at').where('id', '=', holdId).executeTakeFirstOrThrow()).expires_at)).toBe(term);
      expect(await seatStatus(t, eventId, 'ORCH-D-2')).toBe('HELD');
    } finally {
      other.advance(-1_000);
    }
  });

  it('never shortens a hold another payment carried further', async () => {
    const eventId = newEvent();
    const made = await post(t, 'val', '/api/holds', { eventId, seatIds: ['ORCH-D-5'] });
    const holds = createHoldRepository(t.database.db);
    const hold = await holds.find(made.json().holdId);
    if (!hold) throw new Error('no hold');
    const now = t.now();
    const further = hold.expires_at + 20_000;
    expect(await holds.extend(hold, further, now)).toMatchObject({ batch: expect.any(Object) });
    // A slower payment's shorter carry, written after: it changes nothing.
    expect(await holds.extend(hold, hold.expires_at + 10_000, now)).toEqual({ batch: undefined });
    expect(Date.parse((await holdOf('val', hold.id)).expiresAt)).toBe(further);
  });

  it('does not touch a hold with time enough left for the payment', async () => {
    const eventId = newEvent();
    const made = await post(t, 'ugo', '/api/holds', { eventId, seatIds: ['ORCH-C-1'] });
    const holdId = made.json().holdId as string;
    const seqBefore = (await t.database.db.selectFrom('inventories').select('seq').where('event_id', '=', eventId).executeTakeFirstOrThrow()).seq;
    expect((await post(t, 'ugo', '/api/orders', { holdId, payment: { token: 'tok_declined' } })).statusCode).toBe(402);
    expect((await holdOf('ugo', holdId)).expiresAt).toBe(made.json().expiresAt);
    // No change logged for watchers.
    expect((await t.database.db.selectFrom('inventories').select('seq').where('event_id', '=', eventId).executeTakeFirstOrThrow()).seq).toBe(seqBefore);
  });
});
