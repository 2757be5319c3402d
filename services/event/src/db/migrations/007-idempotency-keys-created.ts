/**
 * An index on `idempotency_keys.created_at`, for the hourly removal of keys past a day
 * (IDEMPOTENCY_KEYS_KEPT_MS): without it each removal read the whole table, and on InnoDB locked
 * every row it passed — every create sent with a key waited on it. Re-runnable.
 */
import { type Dialect, indexExists } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function idempotencyKeysCreatedMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (await indexExists(db, dialect, 'idempotency_keys', 'idempotency_keys_created')) return;
      await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
    },
  };
}
