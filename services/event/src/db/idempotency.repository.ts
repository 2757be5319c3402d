/**
 * Remembered Idempotency-Keys: which resource a key created, and a digest of the body that created
 * it — kept IDEMPOTENCY_KEYS_KEPT_MS (a day), then forgotten (they had been kept for good).
 */
import type { Kysely } from 'kysely';

/** How long a key replays its first answer; a retry later than this creates anew. */
export const IDEMPOTENCY_KEYS_KEPT_MS = 86_400_000;
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
    /** Forgets the keys recorded before `cutoff`. */
    async forgetOlderThan(cutoff: number): Promise<void> {
      await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;

/** The catalogue's hourly chore (the outbox relay's lease holder runs it): keys past IDEMPOTENCY_KEYS_KEPT_MS forgotten. */
export function forgetExpiredIdempotencyKeys(db: Kysely<EventDatabase>): (now: number) => Promise<void> {
  const keys = createIdempotencyRepository(db);
  return (now) => keys.forgetOlderThan(now - IDEMPOTENCY_KEYS_KEPT_MS);
}
