/**
 * Refunds owed, against real databases: a provider that hangs is given up on and the refund is
 * recorded; a pass over the owed refunds stops at the first failure; a refund that can be neither
 * made nor recorded is reported, never thrown over the order's own error.
 */
import { createTestDatabase, type Database, databaseConfigFor, openServiceDatabase, startDatabase, type TestDatabase, testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingMigrations } from '../src/db/migrations/index.js';
import { createRefundRepository } from '../src/db/refund.repository.js';
import type { BookingDatabase } from '../src/db/schema.js';
import type { PaymentProvider } from '../src/domain/payment-provider.js';
import { createRefunds, type RefundRequest } from '../src/domain/refunds.js';

describe.each(testDialects())('refunds owed on %s', (dialect) => {
  let testDb: TestDatabase;
  let database: Database<BookingDatabase>;
  let n = 0;
  const owed = (): RefundRequest => ({ paymentId: `pay_${dialect}_${++n}`, amountCents: 4_200, currency: 'EUR', holdId: `hold-${n}`, reason: 'lost the race' });
  /** A provider whose refunds do what the test says: succeed, fail, or never answer. */
  const provider = (behaviour: 'ok' | 'fail' | 'hang', log: string[] = []): PaymentProvider => ({
    charge: async () => ({ paymentId: 'unused' }),
    refund: (paymentId) => {
      log.push(paymentId);
      if (behaviour === 'ok') return Promise.resolve();
      if (behaviour === 'fail') return Promise.reject(new Error('provider down'));
      return new Promise<void>(() => undefined);
    },
  });

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect, 'refunds');
    database = openServiceDatabase<BookingDatabase>(databaseConfigFor(testDb.url), testDb.url);
    await startDatabase(database, bookingMigrations(database.dialect));
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('gives up on a provider that never answers and records the refund as owed', async () => {
    const refundsDue = createRefundRepository(database.db);
    const refunds = createRefunds({ payments: provider('hang'), refundsDue, clock: Date.now, timeoutMs: 50 });
    const request = owed();
    expect(await refunds.refundOrOwe(request)).toBe('owed');
    const [row] = await database.db.selectFrom('refunds_due').selectAll().where('payment_id', '=', request.paymentId).execute();
    expect(row?.last_error).toContain('did not answer within 50 ms');
    expect(Number(row?.amount_cents)).toBe(4_200);
  });

  it('stops a retry pass at the first failure, leaving the rest for the next pass', async () => {
    const refundsDue = createRefundRepository(database.db);
    const now = Date.now() + 10 * 3_600_000; // everything recorded so far is due
    const before = await refundsDue.due(now, 100);
    const failing = createRefunds({ payments: provider('fail'), refundsDue, clock: Date.now, timeoutMs: 1_000 });
    for (let i = 0; i < 3; i++) await failing.refundOrOwe(owed());
    const due = await refundsDue.due(now, 100);
    expect(due.length).toBe(before.length + 3);
    const tried: string[] = [];
    expect(await createRefunds({ payments: provider('fail', tried), refundsDue, clock: Date.now, timeoutMs: 1_000 }).retryDue(now)).toBe(0);
    expect(tried).toHaveLength(1);
    const after = await database.db.selectFrom('refunds_due').select(['payment_id', 'attempts']).execute();
    expect(after.filter((d) => d.attempts === 2).map((d) => d.payment_id)).toEqual(tried);
    expect(after.filter((d) => d.attempts === 1)).toHaveLength(due.length - 1);

    // The provider is back: passes of ten settle everything owed.
    const paid: string[] = [];
    const working = createRefunds({ payments: provider('ok', paid), refundsDue, clock: Date.now, timeoutMs: 1_000 });
    while ((await refundsDue.due(now + 10 * 3_600_000, 100)).length > 0) await working.retryDue(now + 10 * 3_600_000);
    expect(paid.sort()).toEqual(due.map((d) => d.payment_id).sort());
    expect(await refundsDue.count()).toBe(0);
  });

  it('asks the provider once per refund owed when two instances retry at the same time', async () => {
    const now = Date.now() + 20 * 3_600_000;
    const failing = createRefunds({ payments: provider('fail'), refundsDue: createRefundRepository(database.db), clock: Date.now, timeoutMs: 1_000 });
    const mine = Array.from({ length: 6 }, owed);
    for (const request of mine) await failing.refundOrOwe(request);
    // A second instance: its own connection to the same database.
    const other = openServiceDatabase<BookingDatabase>(databaseConfigFor(testDb.url), testDb.url);
    try {
      const asked: string[] = [];
      const slow: PaymentProvider = { ...provider('ok', asked), refund: (paymentId) => { asked.push(paymentId); return new Promise((resolve) => setTimeout(resolve, 30)); } };
      const instances = [database, other].map((db) => createRefunds({ payments: slow, refundsDue: createRefundRepository(db.db), clock: Date.now, timeoutMs: 1_000 }));
      // Passes on both at once, until nothing of ours is owed (a pass takes ten at most).
      const oursOwed = async () => (await createRefundRepository(database.db).due(now + 3_600_000, 1_000)).filter((d) => mine.some((m) => m.paymentId === d.payment_id));
      while ((await oursOwed()).length > 0) await Promise.all(instances.map((refunds) => refunds.retryDue(now + 3_600_000)));
      const ours = asked.filter((id) => mine.some((m) => m.paymentId === id));
      expect(ours.sort()).toEqual(mine.map((m) => m.paymentId).sort());
    } finally {
      await other.close();
    }
  });

  it('keeps a refund leased to the instance asking for it, however long the pass before it took', async () => {
    const refundsDue = createRefundRepository(database.db);
    let t = Date.now() + 40 * 3_600_000;
    const failing = createRefunds({ payments: provider('fail'), refundsDue, clock: () => t, timeoutMs: 1_000 });
    const mine = Array.from({ length: 3 }, owed);
    for (const request of mine) await failing.refundOrOwe(request);
    t += 3_600_000;
    const asked: string[] = [];
    const sweepers: { other?: ReturnType<typeof createRefunds> } = {};
    // Each refund takes 20 s of the clock; while the third is under way, the other instance sweeps.
    const slow: PaymentProvider = {
      ...provider('ok'),
      refund: async (paymentId) => {
        asked.push(paymentId);
        t += 20_000;
        if (asked.length === 3) await sweepers.other?.retryDue(t);
      },
    };
    sweepers.other = createRefunds({ payments: slow, refundsDue, clock: () => t, timeoutMs: 1_000 });
    await createRefunds({ payments: slow, refundsDue, clock: () => t, timeoutMs: 1_000 }).retryDue(t);
    // The third was leased 40 s into the pass: the other sweep, 60 s in, left it alone.
    expect(asked.filter((id) => mine.some((m) => m.paymentId === id)).sort()).toEqual(mine.map((m) => m.paymentId).sort());
  });

  it('reports a refund it can neither make nor record, without throwing', async () => {
    // The database fails as well as the provider (here: its table is gone; this test runs last).
    await database.db.schema.dropTable('refunds_due').execute();
    const lost: RefundRequest[] = [];
    const refunds = createRefunds({
      payments: provider('fail'),
      refundsDue: createRefundRepository(database.db),
      clock: Date.now,
      timeoutMs: 1_000,
      onLost: (request) => lost.push(request),
    });
    const request = owed();
    expect(await refunds.refundOrOwe(request)).toBe('lost');
    expect(lost).toEqual([request]);
  });
});
