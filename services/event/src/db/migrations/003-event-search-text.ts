/**
 * `events.search_text`: the event's name and its venue's city folded for `?q=` (see
 * domain/search-text.ts), filled in for the events that exist already.
 */
import { columnTypes, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';
import { eventSearchText } from '../../domain/search-text.js';

interface Tables {
  events: { id: string; name: string; venue_id: string; search_text: string | null };
  venues: { id: string; city: string | null };
}

export function eventSearchTextMigration(dialect: Dialect): Migration {
  const { largeText } = columnTypes(dialect);
  return {
    async up(untyped: Kysely<unknown>) {
      await untyped.schema.alterTable('events').addColumn('search_text', largeText).execute();
      const db = untyped as Kysely<Tables>;
      const rows = await db
        .selectFrom('events')
        .innerJoin('venues', 'venues.id', 'events.venue_id')
        .select(['events.id', 'events.name', 'venues.city'])
        .execute();
      for (const row of rows) {
        await db.updateTable('events').set({ search_text: eventSearchText(row.name, row.city) }).where('id', '=', row.id).execute();
      }
    },
  };
}
