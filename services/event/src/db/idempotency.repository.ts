/**
 * Remembered Idempotency-Keys: which resource a key created, and a digest of the body that created
 * it — kept IDEMPOTENCY_KEYS_KEPT_MS (a day), then forgotten (they had been kept for good).
 */
import type { Kysely } from 'kysely';
import type { EventDatabase, IdempotencyKeyTable } from './schema.js';

/** How long a key replays its first answer; a retry later than this creates anew. */
export const IDEMPOTENCY_KEYS_KEPT_MS = 86_400_000;

/** Keys forgotten per statement. */
export const FORGET_BATCH = 500;

export function createIdempotencyRepository(db: Kysely<EventDatabase>) {
  return {
    async find(id: string): Promise<IdempotencyKeyTable | undefined> {
      return db.selectFrom('idempotency_keys').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Throws a duplicate-key error when a concurrent request recorded the key first. */
    async insert(row: IdempotencyKeyTable): Promise<void> {
      await db.insertInto('idempotency_keys').values(row).execute();
    },
    /**
     * Forgets the keys recorded before `cutoff`, FORGET_BATCH at a time by their index (a first run
     * after an upgrade finds every key ever kept: one statement had held the table for it).
     */
    async forgetOlderThan(cutoff: number): Promise<void> {
      for (;;) {
        const ids = (await db.selectFrom('idempotency_keys').select('id').where('created_at', '<', cutoff).orderBy('created_at').limit(FORGET_BATCH).execute()).map((row) => row.id);
        if (ids.length > 0) await db.deleteFrom('idempotency_keys').where('id', 'in', ids).execute();
        if (ids.length < FORGET_BATCH) return;
      }
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;

/** The catalogue's hourly chore (the outbox relay's lease holder runs it): keys past IDEMPOTENCY_KEYS_KEPT_MS forgotten. */
export function forgetExpiredIdempotencyKeys(db: Kysely<EventDatabase>): (now: number) => Promise<void> {
  const keys = createIdempotencyRepository(db);
  return (now) => keys.forgetOlderThan(now - IDEMPOTENCY_KEYS_KEPT_MS);
}
