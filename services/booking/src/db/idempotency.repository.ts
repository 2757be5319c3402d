/**
 * Idempotency keys: the INSERT of (owner, key) decides which request executes; the others read
 * the stored response, or wait for it while the first is still running.
 */
import { isDuplicateKey } from '@stream-seat/db';
import type { Kysely } from 'kysely';
import type { BookingDatabase, IdempotencyKeyTable } from './schema.js';
import { changed } from './transaction.js';

const normalize = (row: IdempotencyKeyTable): IdempotencyKeyTable => ({
  ...row,
  created_at: Number(row.created_at),
  status_code: row.status_code === null ? null : Number(row.status_code),
  alive_at: row.alive_at === null ? null : Number(row.alive_at),
});

export function createIdempotencyRepository(db: Kysely<BookingDatabase>) {
  return {
    /** 'reserved' when this caller owns the key now; otherwise the existing record. */
    async reserve(owner: string, key: string, requestHash: string, now: number): Promise<'reserved' | IdempotencyKeyTable> {
      try {
        await db
          .insertInto('idempotency_keys')
          .values({ owner, idem_key: key, request_hash: requestHash, status_code: null, response_json: null, created_at: now, alive_at: now })
          .execute();
        return 'reserved';
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('owner', '=', owner)
        .where('idem_key', '=', key)
        .executeTakeFirst();
      // Purged between the insert and the read: try again as new.
      if (!row) return this.reserve(owner, key, requestHash, now);
      return normalize(row);
    },

    async find(owner: string, key: string): Promise<IdempotencyKeyTable | undefined> {
      const row = await db.selectFrom('idempotency_keys').selectAll().where('owner', '=', owner).where('idem_key', '=', key).executeTakeFirst();
      return row && normalize(row);
    },

    /** The request holding the reservation made at `reservedAt` is still running (its heartbeat). */
    async alive(owner: string, key: string, reservedAt: number, now: number): Promise<void> {
      await db
        .updateTable('idempotency_keys')
        .set({ alive_at: now })
        .where('owner', '=', owner)
        .where('idem_key', '=', key)
        .where('created_at', '=', reservedAt)
        .where('status_code', 'is', null)
        .execute();
    },

    /** Takes over a record that expired or whose executor vanished; only one caller wins. */
    async takeOver(owner: string, key: string, seenCreatedAt: number, requestHash: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('idempotency_keys')
        .set({ request_hash: requestHash, status_code: null, response_json: null, created_at: now, alive_at: now })
        .where('owner', '=', owner)
        .where('idem_key', '=', key)
        .where('created_at', '=', seenCreatedAt)
        .executeTakeFirst();
      return changed(result) === 1;
    },

    /**
     * Stores the answer in the reservation made at `reservedAt` — not in one a later request took
     * over meanwhile (see takeOver).
     */
    async complete(owner: string, key: string, reservedAt: number, statusCode: number, response: unknown): Promise<void> {
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: statusCode, response_json: JSON.stringify(response) })
        .where('owner', '=', owner)
        .where('idem_key', '=', key)
        .where('created_at', '=', reservedAt)
        .execute();
    },

    /** Removes the reservation made at `reservedAt`, still unanswered — not one taken over since. */
    async forget(owner: string, key: string, reservedAt: number): Promise<void> {
      await db
        .deleteFrom('idempotency_keys')
        .where('owner', '=', owner)
        .where('idem_key', '=', key)
        .where('created_at', '=', reservedAt)
        .where('status_code', 'is', null)
        .execute();
    },

    async purgeOlderThan(cutoff: number): Promise<void> {
      await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
