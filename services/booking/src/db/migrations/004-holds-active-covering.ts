/**
 * The active-holds count that every claim makes (per buyer of the batch) reads only the index:
 * `holds_buyer` lacked `expires_at`, so each of a buyer's holds cost a table lookup — a batch of a
 * busy event's buyers spent more time there than in claiming the seats.
 *
 * Each step is skipped when already done: MySQL commits every DDL statement on its own, so a start
 * that stopped between the two must be able to finish on the next one.
 */
import type { Dialect } from '@stream-seat/db';
import { type Kysely, type Migration, sql } from 'kysely';

async function indexExists(db: Kysely<unknown>, dialect: Dialect, table: string, index: string): Promise<boolean> {
  const { rows } =
    dialect === 'mysql'
      ? await sql`SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ${table} AND index_name = ${index} LIMIT 1`.execute(db)
      : await sql`SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND name = ${index}`.execute(db);
  return rows.length > 0;
}

export function holdsActiveCoveringMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (!(await indexExists(db, dialect, 'holds', 'holds_buyer_active'))) {
        await db.schema.createIndex('holds_buyer_active').on('holds').columns(['event_id', 'buyer_id', 'status', 'expires_at']).execute();
      }
      if (await indexExists(db, dialect, 'holds', 'holds_buyer')) {
        const drop = db.schema.dropIndex('holds_buyer');
        await (dialect === 'mysql' ? drop.on('holds') : drop).execute();
      }
    },
  };
}
