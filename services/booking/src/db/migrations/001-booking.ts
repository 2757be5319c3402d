/** The booking schema: inventory, seats, holds, orders, tickets, seat changes, idempotency keys, messages. */
import { columnTypes, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function bookingSchemaMigration(dialect: Dialect): Migration {
  const { largeText } = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('inventories')
        .addColumn('event_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('organizer_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('stage_x', 'double precision', (c) => c.notNull())
        .addColumn('stage_y', 'double precision', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('seats')
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('seat_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('section', 'varchar(64)', (c) => c.notNull())
        .addColumn('row_label', 'varchar(32)', (c) => c.notNull())
        .addColumn('seat_number', 'integer', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('tier', 'varchar(64)', (c) => c.notNull())
        .addColumn('price_cents', 'integer', (c) => c.notNull())
        .addColumn('x', 'double precision', (c) => c.notNull())
        .addColumn('y', 'double precision', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('hold_id', 'varchar(64)')
        .addColumn('expires_at', 'bigint')
        .addColumn('order_id', 'varchar(64)')
        .addPrimaryKeyConstraint('seats_pk', ['event_id', 'seat_id'])
        .execute();

      await db.schema
        .createTable('holds')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('buyer_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('seat_ids_json', 'text', (c) => c.notNull())
        .addColumn('total_cents', 'integer', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('holds_buyer').on('holds').columns(['event_id', 'buyer_id', 'status']).execute();
      await db.schema.createIndex('holds_expiry').on('holds').columns(['status', 'expires_at']).execute();

      await db.schema
        .createTable('orders')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('buyer_id', 'varchar(200)', (c) => c.notNull())
        // One order per hold, whatever races: the database refuses a second.
        .addColumn('hold_id', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('seat_ids_json', 'text', (c) => c.notNull())
        .addColumn('total_cents', 'integer', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('payment_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('cancelled_at', 'bigint')
        .execute();
      await db.schema.createIndex('orders_buyer').on('orders').columns(['buyer_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('orders_event').on('orders').columns(['event_id', 'status']).execute();

      await db.schema
        .createTable('tickets')
        .addColumn('code', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('order_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('seat_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        // The seat id while the ticket is valid, NULL once void: a unique index on it makes a
        // second valid ticket for one seat impossible, a last line of defence below the claim logic.
        .addColumn('valid_seat_id', 'varchar(64)')
        .addColumn('checked_in_at', 'bigint')
        .execute();
      await db.schema.createIndex('tickets_order').on('tickets').column('order_id').execute();
      await db.schema.createIndex('tickets_valid_seat').on('tickets').columns(['event_id', 'valid_seat_id']).unique().execute();

      await db.schema
        .createTable('seat_changes')
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('changes_json', largeText, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('seat_changes_pk', ['event_id', 'seq'])
        .execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('owner', 'varchar(200)', (c) => c.notNull())
        .addColumn('idem_key', 'varchar(200)', (c) => c.notNull())
        .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('response_json', largeText)
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['owner', 'idem_key'])
        .execute();
      await db.schema.createIndex('idempotency_created').on('idempotency_keys').column('created_at').execute();

      await db.schema
        .createTable('catalogue_messages')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('processed_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
