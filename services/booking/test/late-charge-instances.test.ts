/**
 * A charge that lands late (its payment timed out) is refunded whichever instance's reconciler
 * finds the abandoned attempt — as with a real provider, whose API answers every instance alike.
 * The test provider kept its charges in each process's memory: with two instances, a hostile probe
 * saw 17 of 59 late charges never refunded, each looked up again and again on the instance that had
 * not made it. On SQLite and, when MYSQL_URL is set, on MariaDB.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from './in-memory-catalogue.js';

describe.each(testDialects())('a late charge across two instances, on %s', (dialect) => {
  /** Where the buyer paid. */
  let a: BookingTestApp;
  /** The other instance, whose sweep finds the abandoned attempt. */
  let b: BookingTestApp;
  const catalogue = createInMemoryCatalogue();

  beforeAll(async () => {
    a = await createBookingTestApp(dialect, { catalogue, settings: { paymentTimeoutMs: 150 } });
    b = await createBookingTestApp(dialect, { catalogue, databaseUrl: a.databaseUrl, settings: { paymentTimeoutMs: 150 } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('is refunded by the other instance’s reconciler', async () => {
    const { event, map } = hallEvent(`late-${dialect}`);
    catalogue.put(event, map);
    const made = await a.app.inject({ method: 'POST', url: '/api/holds', headers: await a.auth('wes'), payload: { eventId: event.id, seatIds: ['ORCH-A-1'] } });
    expect(made.statusCode, made.body).toBe(201);
    const holdId = made.json().holdId as string;
    const slow = await a.app.inject({ method: 'POST', url: '/api/orders', headers: await a.auth('wes'), payload: { holdId, payment: { token: 'tok_slow' } } });
    expect(slow.statusCode, slow.body).toBe(504);
    const attempt = await a.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).executeTakeFirstOrThrow();
    // The provider charges on the first instance, late (300 ms after the timeout, in the test provider).
    const late = await eventually(async () => (await a.payments.findCharge(attempt.reference))?.paymentId, 5_000, 'the late charge');
    // The second instance's provider knows of it, as a real provider would tell any caller.
    expect((await b.payments.findCharge(attempt.reference))?.paymentId).toBe(late);
    a.advance(15 * 60_000 + 1_000);
    b.advance(15 * 60_000 + 1_000);
    await b.app.booking.sweeper.sweepOnce();
    // Before: not found there, asked again later and later, never refunded.
    expect(b.payments.refunds.get(late)).toBe(made.json().totalCents);
    expect(await a.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).execute()).toEqual([]);
  });
});
