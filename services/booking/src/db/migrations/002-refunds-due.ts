/** Refunds owed after a failed attempt: a charge whose order lost its seats is never forgotten. */
import type { Kysely, Migration } from 'kysely';

export function refundsDueMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('refunds_due')
        .addColumn('payment_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('amount_cents', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('hold_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('reason', 'varchar(200)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'varchar(500)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('refunds_due_next_attempt').on('refunds_due').column('next_attempt_at').execute();
    },
  };
}
