/**
 * `events.search_text`: the event's name and its venue's city folded for `?q=` (see
 * domain/search-text.ts), filled in for the events that exist already. Re-runnable: MySQL commits
 * the ALTER on its own, so a start that stopped during the fill finds the column there and fills
 * what is still empty, a batch at a time (no long lock on the table while older instances serve).
 */
import { columnExists, columnTypes, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';
import { eventSearchText } from '../../domain/search-text.js';

interface Tables {
  events: { id: string; name: string; venue_id: string; search_text: string | null };
  venues: { id: string; city: string | null };
}

const BATCH = 500;

/** Fills `search_text` where it is empty, a batch at a time. */
async function fillEventSearchText(db: Kysely<Tables>): Promise<number> {
  let filled = 0;
  for (;;) {
    const rows = await db
      .selectFrom('events')
      .innerJoin('venues', 'venues.id', 'events.venue_id')
      .select(['events.id', 'events.name', 'venues.city'])
      .where('events.search_text', 'is', null)
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      await db.updateTable('events').set({ search_text: eventSearchText(row.name, row.city) }).where('id', '=', row.id).execute();
    }
    filled += rows.length;
    if (rows.length < BATCH) return filled;
  }
}

export function eventSearchTextMigration(dialect: Dialect): Migration {
  const { largeText } = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      if (!(await columnExists(db, dialect, 'events', 'search_text'))) {
        await db.schema.alterTable('events').addColumn('search_text', largeText).execute();
      }
      await fillEventSearchText(db as Kysely<Tables>);
    },
  };
}
