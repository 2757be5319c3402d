/** Payments under way, so that a charge whose order never came is found and refunded. */
import type { Kysely, Migration } from 'kysely';

export function paymentAttemptsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('payment_attempts')
        .addColumn('reference', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('hold_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('amount_cents', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('payment_id', 'varchar(128)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payment_attempts_created').on('payment_attempts').column('created_at').execute();
    },
  };
}
