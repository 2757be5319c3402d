/**
 * Best available and availability read an event's seat layout once (it never changes) and then,
 * per request, only the seats that are not AVAILABLE (`WHERE event_id = ? AND status IN ('HELD',
 * 'BOOKED')`): this index finds them instead of all of a 100,000-seat venue's rows. It leaves out
 * seat_id on purpose: on SQLite, without statistics, an index holding seat_id too covered the
 * claim's point reads of seats (`event_id = ? AND seat_id IN (…)`) and the planner took it over
 * the primary key — a scan of the event's entries per claim (test/seats-status-index.test.ts).
 *
 * Skipped when already done, like the other migrations (MySQL commits each DDL statement on its own).
 */
import { indexExists, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function seatsEventStatusMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (!(await indexExists(db, dialect, 'seats', 'seats_event_status'))) {
        await db.schema.createIndex('seats_event_status').on('seats').columns(['event_id', 'status', 'expires_at']).execute();
      }
    },
  };
}
