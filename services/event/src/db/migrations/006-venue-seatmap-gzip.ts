/**
 * `venues.seatmap_gz`: a venue's generated seat map, gzipped. Stored as JSON text, the map of a
 * venue inside every limit (100,000 seats with long section ids, row labels and tiers) came to
 * 16.5 MB: past MariaDB's default `max_allowed_packet` (16 MiB), whose server dropped the
 * connection on the INSERT. Gzipped it is about a twelfth of that. Reads take the gzip when there
 * is one, else the JSON (venues stored before). New venues keep their JSON in `seatmap_json` as
 * well while it is at most 4 MiB (`SEAT_MAP_JSON_COPY_MAX_CHARS`): the release before this one
 * reads only that column, during the rolling deploy that brings this in or after a rollback. A
 * larger map is gzipped only; that release answers such a venue with an empty seat map (a
 * malformed body) and its events' seat maps with 500 — a venue it could not have stored on
 * MariaDB either. Re-runnable, as MySQL commits the ALTER on its own.
 */
import { columnExists, columnTypes, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function venueSeatMapGzipMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (await columnExists(db, dialect, 'venues', 'seatmap_gz')) return;
      await db.schema.alterTable('venues').addColumn('seatmap_gz', columnTypes(dialect).largeBinary).execute();
    },
  };
}
