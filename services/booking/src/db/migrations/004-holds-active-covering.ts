/**
 * The active-holds count that every claim makes (per buyer of the batch) reads only the index:
 * `holds_buyer` lacked `expires_at`, so each of a buyer's holds cost a table lookup — a batch of a
 * busy event's buyers spent more time there than in claiming the seats.
 *
 * Each step is skipped when already done: MySQL commits every DDL statement on its own, so a start
 * that stopped between the two must be able to finish on the next one.
 */
import { indexExists, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

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
