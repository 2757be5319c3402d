/**
 * The event's sale terms (`sales_start_at`, `sales_end_at`, `max_seats_per_order`), copied from the
 * catalogue with its start as the inventory is made — an event on sale cannot be changed — so that
 * holds go on when the catalogue cannot be asked: a booking instance restarted while the catalogue
 * was down refused every hold with a 502, even for events it had on sale (a hostile probe).
 *
 * `max_seats_per_order` null: not kept yet (an inventory made before); they are kept at the first
 * hold that has the catalogue's answer at hand.
 */
import { columnExists, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function inventoriesSaleTermsMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // One column at a time, each skipped when there (MySQL commits each DDL statement on its own).
      for (const [column, type] of [['sales_start_at', 'bigint'], ['sales_end_at', 'bigint'], ['max_seats_per_order', 'integer']] as const) {
        if (await columnExists(db, dialect, 'inventories', column)) continue;
        await db.schema.alterTable('inventories').addColumn(column, type).execute();
      }
    },
  };
}
