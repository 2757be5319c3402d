/** The outbox: messages written in the transaction of the change they announce, delivered later in order. */
import type { CatalogueMessage } from '@stream-seat/contracts';
import type { Kysely } from 'kysely';
import type { EventDatabase, OutboxTable } from './schema.js';

export type OutboxRow = Omit<OutboxTable, 'seq'> & { seq: number };

export function createOutboxRepository(db: Kysely<EventDatabase>) {
  return {
    async add(message: CatalogueMessage, now: number): Promise<void> {
      await db
        .insertInto('outbox')
        .values({
          id: message.id,
          type: message.type,
          payload_json: JSON.stringify(message),
          created_at: now,
          attempts: 0,
          next_attempt_at: now,
          delivered_at: null,
          last_error: null,
        })
        .execute();
    },

    /** The oldest undelivered messages, in the order they were written. */
    async pending(limit: number): Promise<OutboxRow[]> {
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('delivered_at', 'is', null)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    },

    /** Removes the messages delivered before `cutoff` (the pending ones stay, however old). */
    async forgetDeliveredBefore(cutoff: number): Promise<void> {
      await db.deleteFrom('outbox').where('delivered_at', 'is not', null).where('delivered_at', '<', cutoff).execute();
    },

    async markDelivered(seq: number, now: number): Promise<void> {
      await db.updateTable('outbox').set({ delivered_at: now }).where('seq', '=', seq).execute();
    },

    async markFailed(seq: number, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
      await db
        .updateTable('outbox')
        .set({ attempts, next_attempt_at: nextAttemptAt, last_error: error.slice(0, 500) })
        .where('seq', '=', seq)
        .execute();
    },

    /** Takes or extends the relay lease; false while another live relay holds it. */
    async claimLease(holder: string, now: number, ttlMs: number): Promise<boolean> {
      const result = await db
        .updateTable('relay_lease')
        .set({ holder, expires_at: now + ttlMs })
        .where('name', '=', 'outbox')
        .where((eb) => eb.or([eb('holder', '=', holder), eb('holder', 'is', null), eb('expires_at', '<', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async releaseLease(holder: string): Promise<void> {
      await db
        .updateTable('relay_lease')
        .set({ holder: null, expires_at: 0 })
        .where('name', '=', 'outbox')
        .where('holder', '=', holder)
        .execute();
    },
  };
}
export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
