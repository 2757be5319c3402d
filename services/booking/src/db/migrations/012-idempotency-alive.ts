/**
 * `idempotency_keys.alive_at`: when the request holding a key's reservation last said it was
 * still running (it says so every few seconds). A reservation whose request went silent lost it
 * (its instance died) and is taken over within seconds; it had been taken over only two minutes
 * after it was made, every repeat meanwhile waiting 20 s for a 409 (a hostile probe, after a
 * `kill -9`). Null on reservations of the release before, judged by their age as then.
 */
import { columnExists, type Dialect } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function idempotencyAliveMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (await columnExists(db, dialect, 'idempotency_keys', 'alive_at')) return;
      await db.schema.alterTable('idempotency_keys').addColumn('alive_at', 'bigint').execute();
    },
  };
}
