/** Catalogue messages already handled, so that a redelivery (at least once) is only acknowledged. */
import { isDuplicateKey } from '@stream-seat/db';
import type { Kysely } from 'kysely';
import type { BookingDatabase } from './schema.js';

export function createCatalogueMessageRepository(db: Kysely<BookingDatabase>) {
  return {
    async seen(id: string): Promise<boolean> {
      return (await db.selectFrom('catalogue_messages').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },
    async markProcessed(message: { id: string; type: string; eventId: string }, now: number): Promise<void> {
      try {
        await db
          .insertInto('catalogue_messages')
          .values({ id: message.id, type: message.type, event_id: message.eventId, processed_at: now })
          .execute();
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    },
    /**
     * Forgets the messages handled before `cutoff`: a redelivery comes within hours (the outbox
     * retries until acknowledged), and handling one again is harmless anyway (idempotent).
     */
    async forgetProcessedBefore(cutoff: number): Promise<void> {
      await db.deleteFrom('catalogue_messages').where('processed_at', '<', cutoff).execute();
    },
  };
}
export type CatalogueMessageRepository = ReturnType<typeof createCatalogueMessageRepository>;
