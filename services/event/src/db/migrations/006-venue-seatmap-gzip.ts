/**
 * `venues.seatmap_gz`: a venue's generated seat map, gzipped. Stored as JSON text, the map of a
 * venue inside every limit (100,000 seats with long section ids, row labels and tiers) came to
 * 16.5 MB: past MariaDB's default `max_allowed_packet` (16 MiB), whose server dropped the
 * connection on the INSERT. Gzipped it is about a twelfth of that. New venues leave
 * `seatmap_json` empty; venues stored before keep their JSON and are read from it. During the
 * rolling deploy that brings this in, an older instance cannot read a venue a newer one created
 * (it answers 500 for its seat map) until it is replaced. Re-runnable, as MySQL commits the ALTER
 * on its own.
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
