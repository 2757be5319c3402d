/** Keeps the first answer of an idempotent create, so that a replay returns it even after the resource changed. */
import { columnTypes, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function idempotencyResponsesMigration(dialect: Dialect): Migration {
  const { largeText } = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('idempotency_keys').addColumn('response_json', largeText).execute();
    },
  };
}
