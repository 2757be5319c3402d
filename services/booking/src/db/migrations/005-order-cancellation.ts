/**
 * A cancellation and a check-in of the same order exclude each other on the order's row: orders
 * count their checked-in tickets (counted from the tickets for the orders that exist), and an
 * order claimed for cancellation (status CANCELLING) carries the schedule of its refund's retries.
 *
 * Each step is skipped when already done: MySQL commits every DDL statement on its own, so a start
 * that stopped between two must be able to finish on the next one. The count is recomputed anyway.
 */
import { columnExists, indexExists, type Dialect } from '@stream-seat/db';
import { type ColumnDataType, type Kysely, type Migration, sql } from 'kysely';
import { chunks } from '../transaction.js';

/** Orders counted per UPDATE: each locks that many rows, for a moment. */
const BACKFILL_BATCH = 100;

/** Name, type, and the value of existing rows (NOT NULL with that default) or none (nullable). */
const COLUMNS: Array<[name: string, type: ColumnDataType, initial: number | undefined]> = [
  ['checked_in_tickets', 'integer', 0],
  ['cancel_attempts', 'integer', 0],
  ['cancel_next_attempt_at', 'bigint', undefined],
  ['cancel_last_error', 'varchar(500)', undefined],
];

export function orderCancellationMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const [name, type, initial] of COLUMNS) {
        if (await columnExists(db, dialect, 'orders', name)) continue;
        await db.schema
          .alterTable('orders')
          .addColumn(name, type, (c) => (initial === undefined ? c : c.notNull().defaultTo(initial)))
          .execute();
      }
      if (!(await indexExists(db, dialect, 'orders', 'orders_cancelling'))) {
        await db.schema.createIndex('orders_cancelling').on('orders').columns(['status', 'cancel_next_attempt_at']).execute();
      }
      const { rows } = await sql<{ order_id: string; n: number | string }>`SELECT order_id, COUNT(*) AS n FROM tickets WHERE checked_in_at IS NOT NULL GROUP BY order_id`.execute(db);
      // Orders of one count in one statement: few statements, none touching an order without check-ins.
      const byCount = new Map<number, string[]>();
      for (const { order_id, n } of rows) {
        const orderIds = byCount.get(Number(n)) ?? [];
        orderIds.push(order_id);
        byCount.set(Number(n), orderIds);
      }
      for (const [count, orderIds] of byCount) {
        for (const batch of chunks(orderIds, BACKFILL_BATCH)) {
          await sql`UPDATE orders SET checked_in_tickets = ${count} WHERE id IN (${sql.join(batch)})`.execute(db);
        }
      }
    },
  };
}
