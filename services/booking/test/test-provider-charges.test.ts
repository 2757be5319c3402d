/**
 * The test payment provider's ledger in the booking database (migration 013): a charge one
 * instance made is found by another, a reference charged again keeps its first payment (as a real
 * provider answers a repeated idempotency key), and charges past the late-charge window are
 * forgotten. On SQLite and, when MYSQL_URL is set, on MariaDB.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProviderChargeLedger } from '../src/db/test-provider-charges.repository.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue } from './in-memory-catalogue.js';

describe.each(testDialects())('the test provider\'s charges, on %s', (dialect) => {
  let t: BookingTestApp;
  let now = 1_800_000_000_000;

  beforeAll(async () => {
    t = await createBookingTestApp(dialect, { catalogue: createInMemoryCatalogue() });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds a charge made through another ledger on the same database, and keeps a reference\'s first payment', async () => {
    const one = createTestProviderChargeLedger(t.database.db, () => now);
    const other = createTestProviderChargeLedger(t.database.db, () => now);
    expect(await one.record('ref-1', 'pay_first')).toBe('pay_first');
    expect(await other.find('ref-1')).toBe('pay_first');
    expect(await other.record('ref-1', 'pay_second')).toBe('pay_first');
    expect(await one.find('ref-1')).toBe('pay_first');
    expect(await one.find('ref-unknown')).toBeUndefined();
  });

  it('forgets the charges made before the cutoff, and only those', async () => {
    const ledger = createTestProviderChargeLedger(t.database.db, () => now);
    await ledger.record('old', 'pay_old');
    now += 1_000;
    await ledger.record('new', 'pay_new');
    await ledger.forgetOlderThan(now);
    expect([await ledger.find('old'), await ledger.find('new')]).toEqual([undefined, 'pay_new']);
  });

  it('is kept by the service for the late-charge window, and forgotten by its sweep after it', async () => {
    const charged = await t.payments.charge({ amountCents: 100, currency: 'EUR', token: 'tok_ok', reference: `sweep-${dialect}` }, new AbortController().signal);
    await t.app.booking.sweeper.sweepOnce();
    expect((await t.payments.findCharge(`sweep-${dialect}`))?.paymentId).toBe(charged.paymentId);
    // PAYMENT_LATE_CHARGE_WINDOW_MS (7 days by default) later, no abandoned attempt asks about it.
    t.advance(7 * 86_400_000 + 60_000);
    await t.app.booking.sweeper.sweepOnce();
    // Before: kept for good, a row a payment.
    expect(await t.payments.findCharge(`sweep-${dialect}`)).toBeUndefined();
  });
});
