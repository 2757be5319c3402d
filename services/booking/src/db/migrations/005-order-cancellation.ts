/**
 * A cancellation and a check-in of the same order exclude each other on the order's row: orders
 * count their checked-in tickets (counted from the tickets for the orders that exist), and an
 * order claimed for cancellation (status CANCELLING) carries the schedule of its refund's retries.
 *
 * Each step is skipped when already done: MySQL commits every DDL statement on its own, so a start
 * that stopped between two must be able to finish on the next one. The count is recomputed anyway.
 */
import type { Dialect } from '@stream-seat/db';
import { type ColumnDataType, type Kysely, type Migration, sql } from 'kysely';
import { columnExists, indexExists } from './schema-probes.js';

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
      await sql`UPDATE orders SET checked_in_tickets = (SELECT COUNT(*) FROM tickets WHERE tickets.order_id = orders.id AND tickets.checked_in_at IS NOT NULL)`.execute(db);
    },
  };
}
