/** The event service's migrations, in order. */
import { type Dialect, exactTextMigration, type Migrations } from '@stream-seat/db';
import { catalogueMigration } from './001-catalogue.js';
import { idempotencyResponsesMigration } from './002-idempotency-responses.js';
import { eventSearchTextMigration } from './003-event-search-text.js';
import { eventCancelledAsDraftMigration } from './004-event-cancelled-as-draft.js';
import { venueSeatMapGzipMigration } from './006-venue-seatmap-gzip.js';
import { idempotencyKeysCreatedMigration } from './007-idempotency-keys-created.js';

export function eventMigrations(dialect: Dialect): Migrations {
  return {
    '001-catalogue': catalogueMigration(dialect),
    '002-idempotency-responses': idempotencyResponsesMigration(dialect),
    '003-event-search-text': eventSearchTextMigration(dialect),
    '004-event-cancelled-as-draft': eventCancelledAsDraftMigration(dialect),
    // Identities compared exactly on MySQL as on SQLite (@stream-seat/db exact-text.ts).
    '005-exact-text': exactTextMigration(dialect, [{ table: 'events', column: 'venue_id', references: { table: 'venues', column: 'id' } }]),
    '006-venue-seatmap-gzip': venueSeatMapGzipMigration(dialect),
    '007-idempotency-keys-created': idempotencyKeysCreatedMigration(dialect),
  };
}
