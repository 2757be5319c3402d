/** The booking schema's migrations on a real database: one that stopped half-way finishes on the next start. */
import { createTestDatabase, databaseConfigFor, openServiceDatabase, startDatabase, testDialects } from '@stream-seat/db';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { holdsActiveCoveringMigration } from '../src/db/migrations/004-holds-active-covering.js';
import { bookingMigrations } from '../src/db/migrations/index.js';
import type { BookingDatabase } from '../src/db/schema.js';

describe.each(testDialects())('booking migrations on %s', (dialect) => {
  async function indexesOfHolds(db: Kysely<unknown>): Promise<string[]> {
    const { rows } =
      dialect === 'mysql'
        ? await sql<{ name: string }>`SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'holds'`.execute(db)
        : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'holds' AND sql IS NOT NULL`.execute(db);
    return rows.map((r) => r.name).sort();
  }

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
});
