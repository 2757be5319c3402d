/** Seat inventory per event. */
import type { Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function inventoryMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('inventories')
        .addColumn('event_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('seats')
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('seat_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('section', 'varchar(64)', (c) => c.notNull())
        .addColumn('tier', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('hold_id', 'varchar(64)')
        .addColumn('expires_at', 'bigint')
        .addColumn('order_id', 'varchar(64)')
        .addPrimaryKeyConstraint('seats_pk', ['event_id', 'seat_id'])
        .execute();
    },
  };
}
