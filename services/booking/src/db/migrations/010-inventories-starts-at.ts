/**
 * When the event starts (`starts_at`, ms), copied from the catalogue as the inventory is made — an
 * event on sale cannot be changed — so that the end of a buyer's own cancel is known without the
 * catalogue: with the catalogue down and the event not in its client's cache (a restart, or a
 * cache filled by other ids), a cancel after the show went through and was refunded.
 *
 * Null for inventories made before; for those the catalogue is asked, as before.
 */
import { columnExists, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function inventoriesStartsAtMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (await columnExists(db, dialect, 'inventories', 'starts_at')) return;
      await db.schema.alterTable('inventories').addColumn('starts_at', 'bigint').execute();
    },
  };
}
