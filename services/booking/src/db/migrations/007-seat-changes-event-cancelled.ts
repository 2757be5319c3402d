/**
 * The change log records an event's cancellation as its own numbered entry (no seat changes,
 * `event_cancelled` = 1): live streams tell their watchers in order with the seats' changes, a
 * client resuming from before it hears it too, and each instance's seat-status cache learns it
 * from the log like any other change.
 *
 * Skipped when already done, like the other migrations (MySQL commits each DDL statement on its own).
 */
import { columnExists, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function seatChangesEventCancelledMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (await columnExists(db, dialect, 'seat_changes', 'event_cancelled')) return;
      await db.schema.alterTable('seat_changes').addColumn('event_cancelled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}
