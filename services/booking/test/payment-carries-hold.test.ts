/**
 * A payment begun in a hold's last moments carries the hold until the payment can be through:
 * nobody else claims its seats, the sweeper leaves it, every instance shows the seats held — and
 * declined cards tried again and again do not carry it more than one payment past its term. On
 * SQLite and, when MYSQL_URL is set, on MariaDB.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { ORDER_WRITE_MS } from '../src/domain/order-placement.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

const PAYMENT_TIMEOUT_MS = 1_000;
/** How long a payment carries its hold: its timeout, then the order's writing. */
const CARRY_MS = PAYMENT_TIMEOUT_MS + ORDER_WRITE_MS;

describe.each(testDialects())('a payment carrying its hold on %s', (dialect) => {
  let t: BookingTestApp;
  /** A second instance on the same database: its seat statuses come from the change log. */
  let other: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;
  const newEvent = () => {
    const { event, map } = hallEvent(`carry${++n}-${dialect}`);
    catalogue.put(event, map);
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

  it('carries a hold no more than one payment past its term, however many declined cards are tried', async () => {
    const eventId = newEvent();
    const made = await post(t, 'rae', '/api/holds', { eventId, seatIds: ['ORCH-B-1'] });
    const holdId = made.json().holdId as string;
    const term = Date.parse(made.json().expiresAt);
    advance(term - t.now() - 500);
    const declined = async () => (await post(t, 'rae', '/api/orders', { holdId, payment: { token: 'tok_declined' } })).statusCode;
    expect(await declined()).toBe(402);
    // The decline kept the hold, carried past its term.
    const first = Date.parse((await holdOf('rae', holdId)).expiresAt);
    expect(first).toBeGreaterThan(term);
    advance(CARRY_MS - 1_000);
    expect(await declined()).toBe(402);
    const second = Date.parse((await holdOf('rae', holdId)).expiresAt);
    expect(second).toBeGreaterThan(first);
    expect(second).toBeLessThanOrEqual(term + CARRY_MS);
    advance(second - t.now() + 1);
    // The third card comes too late; the seat is for sale again.
    expect((await post(t, 'rae', '/api/orders', { holdId, payment: { token: 'tok_ok' } })).statusCode).toBe(410);
    expect((await post(other, 'sid', '/api/holds', { eventId, seatIds: ['ORCH-B-1'] })).statusCode).toBe(201);
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
