/**
 * `events.cancelled_as_draft`: 1 for an event cancelled before it ever went on sale. Such an event
 * was never public, and cancelling it must not make it so: it stays its organiser's alone, like
 * the draft it was. Rows that exist already keep 0 (public once cancelled, as before): whether a
 * cancelled event had been on sale is not recorded anywhere else. During a rolling deploy, old
 * and new instances side by side behave as before for each other's rows: an older instance
 * cancels a draft without setting the flag, and shows a draft a newer one cancelled (it does not
 * read the flag) until it is replaced. Re-runnable, as MySQL commits the ALTER on its own.
 */
import { columnExists, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function eventCancelledAsDraftMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (await columnExists(db, dialect, 'events', 'cancelled_as_draft')) return;
      await db.schema
        .alterTable('events')
        .addColumn('cancelled_as_draft', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
