/** Tickets at the door: look one up, check it in exactly once. */
import type { Kysely } from 'kysely';
import type { BookingDatabase, TicketTable } from './schema.js';
import { changed } from './transaction.js';

export function createTicketRepository(db: Kysely<BookingDatabase>) {
  return {
    async find(code: string): Promise<TicketTable | undefined> {
      const row = await db.selectFrom('tickets').selectAll().where('code', '=', code).executeTakeFirst();
      return row && { ...row, checked_in_at: row.checked_in_at === null ? null : Number(row.checked_in_at) };
    },

    /** True for the one caller that checked the ticket in; false if it was checked in or void already. */
    async checkIn(code: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('tickets')
        .set({ checked_in_at: now })
        .where('code', '=', code)
        .where('status', '=', 'VALID')
        .where('checked_in_at', 'is', null)
        .executeTakeFirst();
      return changed(result) === 1;
    },
  };
}
export type TicketRepository = ReturnType<typeof createTicketRepository>;
