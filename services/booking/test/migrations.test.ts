/**
 * The booking schema's migrations on a real database: one that stopped half-way finishes on the next
 * start; orders get the count of their checked-in tickets from the tickets.
 */
import { createTestDatabase, databaseConfigFor, openServiceDatabase, startDatabase, testDialects } from '@stream-seat/db';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { holdsActiveCoveringMigration } from '../src/db/migrations/004-holds-active-covering.js';
import { orderCancellationMigration } from '../src/db/migrations/005-order-cancellation.js';
import { seatChangesEventCancelledMigration } from '../src/db/migrations/007-seat-changes-event-cancelled.js';
import { bookingMigrations } from '../src/db/migrations/index.js';
import type { BookingDatabase, OrderTable, TicketTable } from '../src/db/schema.js';

describe.each(testDialects())('booking migrations on %s', (dialect) => {
  async function indexesOf(db: Kysely<unknown>, table: string): Promise<string[]> {
    const { rows } =
      dialect === 'mysql'
        ? await sql<{ name: string }>`SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ${table}`.execute(db)
        : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND sql IS NOT NULL`.execute(db);
    return rows.map((r) => r.name).sort();
  }
  const indexesOfHolds = (db: Kysely<unknown>) => indexesOf(db, 'holds');

  it('replaces holds_buyer with the covering index, and finishes a run that stopped between its steps', async () => {
    const target = await createTestDatabase(dialect, 'booking_migrations');
    const database = openServiceDatabase<BookingDatabase>(databaseConfigFor(target.url), target.url);
    try {
      await startDatabase(database, bookingMigrations(dialect));
      const db = database.db as unknown as Kysely<unknown>;
      expect(await indexesOfHolds(db)).toEqual(expect.arrayContaining(['holds_buyer_active']));
      expect(await indexesOfHolds(db)).not.toContain('holds_buyer');

      // As if a start had created the new index and stopped before dropping the old one (MySQL
      // commits each DDL statement on its own): the migration runs again and completes.
      await db.schema.createIndex('holds_buyer').on('holds').columns(['event_id', 'buyer_id', 'status']).execute();
      await holdsActiveCoveringMigration(dialect).up(db);
      expect(await indexesOfHolds(db)).toEqual(expect.arrayContaining(['holds_buyer_active']));
      expect(await indexesOfHolds(db)).not.toContain('holds_buyer');
      // And once more with nothing left to do.
      await holdsActiveCoveringMigration(dialect).up(db);
    } finally {
      await database.close();
      await target.drop();
    }
  });

  it('marks the change log entries that exist as no cancellation, and runs again harmlessly', async () => {
    const target = await createTestDatabase(dialect, 'booking_migrations');
    const database = openServiceDatabase<BookingDatabase>(databaseConfigFor(target.url), target.url);
    try {
      const { '007-seat-changes-event-cancelled': _added, ...before } = bookingMigrations(dialect);
      await startDatabase(database, before);
      const db = database.db as unknown as Kysely<unknown>;
      await sql`INSERT INTO seat_changes (event_id, seq, changes_json, created_at) VALUES ('e1', 1, '[]', 1)`.execute(db);
      await seatChangesEventCancelledMigration(dialect).up(db);
      await seatChangesEventCancelledMigration(dialect).up(db);
      const { rows } = await sql<{ seq: number; event_cancelled: number }>`SELECT seq, event_cancelled FROM seat_changes`.execute(db);
      expect(rows.map((r) => [Number(r.seq), Number(r.event_cancelled)])).toEqual([[1, 0]]);
    } finally {
      await database.close();
      await target.drop();
    }
  });

  it('counts the checked-in tickets of the orders that exist, and finishes a run that stopped half-way', async () => {
    const target = await createTestDatabase(dialect, 'booking_migrations');
    const database = openServiceDatabase<BookingDatabase>(databaseConfigFor(target.url), target.url);
    try {
      const all = bookingMigrations(dialect);
      // The migrations before 005 (those after it are unrelated: indexes, other tables' columns).
      const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '005'));
      await startDatabase(database, before);
      const db = database.db as unknown as Kysely<unknown>;
      // Orders as they were before 005.
      type OrderBefore = Omit<OrderTable, 'checked_in_tickets' | 'cancel_attempts' | 'cancel_next_attempt_at' | 'cancel_last_error'>;
      const legacy = db as Kysely<{ orders: OrderBefore; tickets: TicketTable }>;
      const order = (id: string): OrderBefore => ({ id, event_id: 'e1', buyer_id: 'b1', hold_id: `h-${id}`, status: 'CONFIRMED', seat_ids_json: '["A-1","A-2"]', total_cents: 100, currency: 'EUR', payment_id: `p-${id}`, created_at: 1, cancelled_at: null });
      const ticket = (code: string, orderId: string, seatId: string, checkedInAt: number | null): TicketTable => ({ code, order_id: orderId, event_id: 'e1', seat_id: seatId, status: 'VALID', valid_seat_id: `${orderId}-${seatId}`, checked_in_at: checkedInAt });
      await legacy.insertInto('orders').values([order('used'), order('unused')]).execute();
      await legacy
        .insertInto('tickets')
        .values([ticket('t1', 'used', 'A-1', 5), ticket('t2', 'used', 'A-2', 6), ticket('t3', 'unused', 'A-1', null)])
        .execute();

      await startDatabase(database, all);
      const counts = async () =>
        Object.fromEntries((await database.db.selectFrom('orders').select(['id', 'checked_in_tickets']).execute()).map((r) => [r.id, Number(r.checked_in_tickets)]));
      expect(await counts()).toEqual({ used: 2, unused: 0 });
      // As if a start had stopped before its last DDL step (each commits on its own on MySQL): it
      // runs again, skips the columns that exist, and completes.
      const drop = db.schema.dropIndex('orders_cancelling');
      await (dialect === 'mysql' ? drop.on('orders') : drop).execute();
      await orderCancellationMigration(dialect).up(db);
      expect(await indexesOf(db, 'orders')).toContain('orders_cancelling');
      expect(await counts()).toEqual({ used: 2, unused: 0 });
      const row = await database.db.selectFrom('orders').selectAll().where('id', '=', 'unused').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ cancel_attempts: 0, cancel_next_attempt_at: null, cancel_last_error: null });

      // Many orders with check-ins (more than one batch), each counted.
      const many = Array.from({ length: 230 }, (_, i) => `m${i}`);
      await legacy.insertInto('orders').values(many.map(order)).execute();
      await legacy.insertInto('tickets').values(many.flatMap((id, i) => [ticket(`${id}-1`, id, 'A-1', 7), ...(i % 2 ? [ticket(`${id}-2`, id, 'A-2', 8)] : [])])).execute();
      if (dialect === 'mysql') {
        // Orders without check-ins, as most are (on a table this small InnoDB would scan, and lock, it all).
        for (let i = 0; i < 3; i++) await legacy.insertInto('orders').values(Array.from({ length: 1000 }, (_, j) => order(`f${i}-${j}`))).execute();
        // A serving instance of the previous release holds an order without check-ins (a check-in
        // or payment under way): the backfill must not wait for it.
        let release!: () => void;
        let locked!: () => void;
        const held = new Promise<void>((resolve) => (locked = resolve));
        const serving = database.db.transaction().execute(async (trx) => {
          await trx.updateTable('orders').set({ currency: 'EUR' }).where('id', '=', 'unused').execute();
          locked();
          await new Promise<void>((resolve) => (release = resolve));
        });
        await held;
        try {
          const outcome = await Promise.race([
            orderCancellationMigration(dialect).up(db).then(() => 'done'),
            new Promise((resolve) => setTimeout(() => resolve('waited on a locked order'), 3_000)),
          ]);
          expect(outcome).toBe('done');
        } finally {
          release();
          await serving;
        }
      } else {
        await orderCancellationMigration(dialect).up(db);
      }
      const counted = await counts();
      expect(many.map((id) => counted[id])).toEqual(many.map((_, i) => (i % 2 ? 2 : 1)));
      expect(counted).toMatchObject({ used: 2, unused: 0 });
    } finally {
      await database.close();
      await target.drop();
    }
  });
});
