/**
 * An event's order and ticket figures, read in one transaction: one snapshot (InnoDB's repeatable
 * read, SQLite's read transaction), so that tickets sold, orders confirmed and their money agree
 * with each other while sales go on — read apart, an order confirmed between the two reads was
 * counted in one and not the other.
 */
import type { Kysely } from 'kysely';
import { createOrderRepository } from './order.repository.js';
import type { BookingDatabase } from './schema.js';
import { createTicketRepository } from './ticket.repository.js';
import { inTransaction } from './transaction.js';

export type SalesFigures = {
  orders: Awaited<ReturnType<ReturnType<typeof createOrderRepository>['totalsOfEvent']>>;
  tickets: Awaited<ReturnType<ReturnType<typeof createTicketRepository>['soldOfEvent']>>;
};

export function salesFiguresOf(db: Kysely<BookingDatabase>, eventId: string): Promise<SalesFigures> {
  return inTransaction(db, async (trx) => ({
    orders: await createOrderRepository(trx).totalsOfEvent(eventId),
    tickets: await createTicketRepository(trx).soldOfEvent(eventId),
  }));
}
