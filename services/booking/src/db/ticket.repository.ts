/** Tickets at the door: look one up, check it in exactly once, and only while its order stands. */
import type { Kysely } from 'kysely';
import { AlreadyCheckedIn } from '../domain/booking-errors.js';
import type { BookingDatabase, TicketTable } from './schema.js';
import { changed, inTransaction } from './transaction.js';

export function createTicketRepository(db: Kysely<BookingDatabase>) {
  return {
    async find(code: string): Promise<TicketTable | undefined> {
      const row = await db.selectFrom('tickets').selectAll().where('code', '=', code).executeTakeFirst();
      return row && { ...row, checked_in_at: row.checked_in_at === null ? null : Number(row.checked_in_at) };
    },

    /**
     * The event's tickets of orders that stand (CONFIRMED), and of those the ones checked in: one
     * aggregate read. Both tables are narrowed to the event, so that whichever a database starts
     * from, it reads this event's rows only: SQLite the tickets by `tickets_valid_seat` (event_id,
     * …) and each one's order by its key, MariaDB the confirmed orders by `orders_event` (event_id,
     * status) and their tickets by `tickets_order` — 100,000 tickets in about 30 and 70 ms. Given
     * the tickets' event alone, both (with statistics) read every event's confirmed orders by
     * `orders_cancelling` (status, …) instead.
     */
    async soldOfEvent(eventId: string): Promise<{ sold: number; checkedIn: number }> {
      const row = await db
        .selectFrom('tickets')
        .innerJoin('orders', 'orders.id', 'tickets.order_id')
        .select((eb) => [eb.fn.countAll<number | string>().as('sold'), eb.fn.count<number | string>('tickets.checked_in_at').as('checked_in')])
        .where('tickets.event_id', '=', eventId)
        .where('orders.event_id', '=', eventId)
        .where('orders.status', '=', 'CONFIRMED')
        .executeTakeFirstOrThrow();
      return { sold: Number(row.sold), checkedIn: Number(row.checked_in) };
    },

    /**
     * Checks the ticket in, for the one caller that does; the ticket checked in. Only while its order
     * is CONFIRMED: decided by counting the check-in on the order's row in the same transaction —
     * the row a cancellation claims (CONFIRMED → CANCELLING), so that one of the two wins. The order
     * row is written before the ticket, as a cancellation's claim does (after the event's inventory,
     * which check-in never takes), so they never wait on each other in opposite orders. Throws AlreadyCheckedIn: `void` when the order is cancelled or being
     * cancelled, `checked-in` when the ticket was checked in already.
     */
    async checkIn(ticket: TicketTable, now: number): Promise<TicketTable> {
      return inTransaction(db, async (trx) => {
        const counted = await trx
          .updateTable('orders')
          .set((eb) => ({ checked_in_tickets: eb('checked_in_tickets', '+', 1) }))
          .where('id', '=', ticket.order_id)
          .where('status', '=', 'CONFIRMED')
          .executeTakeFirst();
        const standing = changed(counted) === 1;
        if (standing) {
          const admitted = await trx
            .updateTable('tickets')
            .set({ checked_in_at: now })
            .where('code', '=', ticket.code)
            .where('status', '=', 'VALID')
            .where('checked_in_at', 'is', null)
            .executeTakeFirst();
          if (changed(admitted) === 1) return { ...ticket, status: 'VALID', checked_in_at: now };
        }
        // Thrown inside the transaction: the count goes back with it.
        const current = await trx.selectFrom('tickets').select(['status', 'checked_in_at']).where('code', '=', ticket.code).executeTakeFirst();
        const checkedInAt = current && current.checked_in_at !== null ? Number(current.checked_in_at) : null;
        throw new AlreadyCheckedIn(checkedInAt, standing && current?.status === 'VALID' ? 'checked-in' : 'void');
      });
    },
  };
}
export type TicketRepository = ReturnType<typeof createTicketRepository>;
