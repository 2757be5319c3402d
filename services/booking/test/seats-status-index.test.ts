/**
 * Migration 006's index on seats (event_id, status, expires_at): the per-request read of an event's
 * held and booked seats uses it, the claim's point reads of seats keep the primary key (on SQLite a
 * covering variant of the index had turned them into a scan of the event's 100,000 entries), and
 * the migration runs again without harm.
 */
import { createTestDatabase, databaseConfigFor, openServiceDatabase, startDatabase, testDialects } from '@stream-seat/db';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { seatsEventStatusMigration } from '../src/db/migrations/006-seats-event-status.js';
import { bookingMigrations } from '../src/db/migrations/index.js';
import type { BookingDatabase } from '../src/db/schema.js';

describe.each(testDialects())('seats_event_status on %s', (dialect) => {
  it('serves the held-and-booked read, leaves point reads to the primary key, and re-runs', async () => {
    const target = await createTestDatabase(dialect, 'booking_seat_index');
    const database = openServiceDatabase<BookingDatabase>(databaseConfigFor(target.url), target.url);
    try {
      await startDatabase(database, bookingMigrations(dialect));
      const db = database.db as unknown as Kysely<unknown>;
      await seatsEventStatusMigration(dialect).up(db);
      const seat = (n: number) => ({ event_id: 'e1', seat_id: `A-${n}`, section: 'S', row_label: 'A', seat_number: n, kind: 'seated' as const, tier: 'T', price_cents: 1, x: n, y: 0, status: n <= 2 ? ('HELD' as const) : ('AVAILABLE' as const), hold_id: null, expires_at: n <= 2 ? 1 : null, order_id: null });
      await database.db.insertInto('seats').values(Array.from({ length: 200 }, (_, i) => seat(i + 1))).execute();
      const plan = async (query: string) => {
        if (dialect === 'sqlite') {
          const { rows } = await sql.raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`).execute(db);
          return rows.map((r) => r.detail).join(' | ');
        }
        const { rows } = await sql.raw<{ key: string | null }>(`EXPLAIN ${query}`).execute(db);
        return rows.map((r) => r.key).join(' | ');
      };
      expect(await plan("SELECT seat_id, status, expires_at FROM seats WHERE event_id = 'e1' AND status IN ('HELD', 'BOOKED')")).toContain('seats_event_status');
      // The claim's locking read and UPDATE (seat-claim.repository.ts).
      const primary = dialect === 'sqlite' ? 'sqlite_autoindex_seats_1 (event_id=? AND seat_id=?)' : 'PRIMARY';
      expect(await plan("SELECT seat_id, status, expires_at FROM seats WHERE event_id = 'e1' AND seat_id IN ('A-7', 'A-8')")).toContain(primary);
      expect(await plan("UPDATE seats SET status = 'HELD', hold_id = 'h', expires_at = 5, order_id = NULL WHERE event_id = 'e1' AND seat_id IN ('A-7', 'A-8') AND (status = 'AVAILABLE' OR (status = 'HELD' AND expires_at <= 3))")).toContain(primary);
    } finally {
      await database.close();
      await target.drop();
    }
  });
});
