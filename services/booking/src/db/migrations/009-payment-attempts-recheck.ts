/**
 * When an abandoned payment's provider is to be asked again whether it charged (`recheck_at`): a
 * charge may land after the first look, and was then never refunded (payment-reconciler.ts).
 *
 * Skipped when already done, like the other migrations (MySQL commits each DDL statement on its own).
 */
import { columnExists, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function paymentAttemptsRecheckMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (await columnExists(db, dialect, 'payment_attempts', 'recheck_at')) return;
      await db.schema.alterTable('payment_attempts').addColumn('recheck_at', 'bigint').execute();
    },
  };
}
