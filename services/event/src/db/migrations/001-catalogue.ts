/** Venues, events, the outbox of messages to the booking service, and idempotency keys. */
import { columnTypes, type Dialect } from '@stream-seat/db';
import { type Kysely, type Migration, sql } from 'kysely';

export function catalogueMigration(dialect: Dialect): Migration {
  const { largeText } = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('venues')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('organizer_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('city', 'varchar(200)')
        .addColumn('capacity', 'integer', (c) => c.notNull())
        .addColumn('tiers_json', 'text', (c) => c.notNull())
        .addColumn('layout_json', largeText, (c) => c.notNull())
        .addColumn('seatmap_json', largeText, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('venues_organizer').on('venues').columns(['organizer_id', 'created_at', 'id']).execute();

      await db.schema
        .createTable('events')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('organizer_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('venue_id', 'varchar(64)', (c) => c.notNull().references('venues.id'))
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('prices_json', 'text', (c) => c.notNull())
        .addColumn('sales_start_at', 'bigint')
        .addColumn('sales_end_at', 'bigint')
        .addColumn('max_seats_per_order', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_status_starts').on('events').columns(['status', 'starts_at', 'id']).execute();
      await db.schema.createIndex('events_starts').on('events').columns(['starts_at', 'id']).execute();
      await db.schema.createIndex('events_organizer').on('events').column('organizer_id').execute();
      await db.schema.createIndex('events_venue').on('events').columns(['venue_id', 'status']).execute();

      await db.schema
        .createTable('outbox')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('id', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .addColumn('last_error', 'varchar(500)')
        .execute();
      await db.schema.createIndex('outbox_pending').on('outbox').columns(['delivered_at', 'seq']).execute();

      await db.schema
        .createTable('relay_lease')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('holder', 'varchar(100)')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into relay_lease (name, holder, expires_at) values ('outbox', null, 0)`.execute(db);

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('resource_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
