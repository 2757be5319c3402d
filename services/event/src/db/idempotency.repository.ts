/** Remembered Idempotency-Keys: which resource a key created, and a digest of the body that created it. */
import type { Kysely } from 'kysely';
import type { EventDatabase, IdempotencyKeyTable } from './schema.js';

export function createIdempotencyRepository(db: Kysely<EventDatabase>) {
  return {
    async find(id: string): Promise<IdempotencyKeyTable | undefined> {
      return db.selectFrom('idempotency_keys').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Throws a duplicate-key error when a concurrent request recorded the key first. */
    async insert(row: IdempotencyKeyTable): Promise<void> {
      await db.insertInto('idempotency_keys').values(row).execute();
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
