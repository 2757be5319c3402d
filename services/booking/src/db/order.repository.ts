/** Orders and their tickets: confirming a hold, cancelling an order (claim, then finish), reading them back. */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import type { Kysely } from 'kysely';
import { EventNotOnSale, HoldExpired, HoldNotActive, OrderCheckedIn, PaymentAbandoned } from '../domain/booking-errors.js';
import { createHoldRepository, seatsStillHeldBy } from './hold.repository.js';
import { type AnsweringReservation, fenceReservation, storeAnswer } from './idempotency.repository.js';
import { takeAttempt } from './payment-attempt.repository.js';
import { lockInventory, recordChanges } from './seat-change.repository.js';
import type { BookingDatabase, HoldTable, OrderStatus, OrderTable, TicketTable } from './schema.js';
import { changed, inTransaction, type Trx } from './transaction.js';

export interface OrderWithTickets {
  order: OrderTable;
  tickets: TicketTable[];
}

function normalize(order: OrderTable): OrderTable {
  return {
    ...order,
    total_cents: Number(order.total_cents),
    created_at: Number(order.created_at),
    cancelled_at: order.cancelled_at === null ? null : Number(order.cancelled_at),
    checked_in_tickets: Number(order.checked_in_tickets),
    cancel_attempts: Number(order.cancel_attempts),
    cancel_next_attempt_at: order.cancel_next_attempt_at === null ? null : Number(order.cancel_next_attempt_at),
  };
}

/** The seats an order still books (none once they went back on sale). */
async function seatsStillBooked(trx: Trx | Kysely<BookingDatabase>, order: OrderTable): Promise<string[]> {
  const seatIds = JSON.parse(order.seat_ids_json) as string[];
  const rows = await trx
    .selectFrom('seats')
    .select('seat_id')
    .where('event_id', '=', order.event_id)
    .where('seat_id', 'in', seatIds)
    .where('order_id', '=', order.id)
    .where('status', '=', 'BOOKED')
    .execute();
  return rows.map((r) => r.seat_id);
}

/**
 * Puts the seats an order still books back on sale (only those: a seat freed before may be another
 * order's by now) and logs exactly those; undefined when there were none. The caller holds the
 * inventory's lock, so the seats read are the seats freed.
 */
async function freeSeats(trx: Trx, order: OrderTable, now: number): Promise<SeatChangeBatch | undefined> {
  const seatIds = await seatsStillBooked(trx, order);
  if (seatIds.length === 0) return undefined;
  await trx
    .updateTable('seats')
    .set({ status: 'AVAILABLE', order_id: null, hold_id: null, expires_at: null })
    .where('event_id', '=', order.event_id)
    .where('seat_id', 'in', seatIds)
    .where('order_id', '=', order.id)
    .execute();
  // A cancelled event's inventory is closed, and its seats are freed all the same.
  const batch = await recordChanges(trx, order.event_id, seatIds.map((seatId) => ({ seatId, status: 'AVAILABLE' as const })), now, false);
  return batch?.batch;
}

export function createOrderRepository(db: Kysely<BookingDatabase>) {
  async function ticketsOf(orderIds: string[]): Promise<TicketTable[]> {
    if (orderIds.length === 0) return [];
    const rows = await db.selectFrom('tickets').selectAll().where('order_id', 'in', orderIds).orderBy('seat_id').execute();
    return rows.map((t) => ({ ...t, checked_in_at: t.checked_in_at === null ? null : Number(t.checked_in_at) }));
  }

  return {
    /**
     * Turns a paid hold into an order: the hold must still be active and still hold every one of
     * its seats (an expired hold's seat may have been claimed by someone else meanwhile).
     * `reservation`: the Idempotency-Key's the payment runs under — not confirmed once a repeat
     * has it; the key's answer is stored with the order.
     */
    async confirm(hold: HoldTable, order: OrderTable, tickets: TicketTable[], now: number, reservation?: AnsweringReservation<OrderWithTickets>): Promise<SeatChangeBatch> {
      const seatIds = JSON.parse(hold.seat_ids_json) as string[];
      return inTransaction(db, async (trx) => {
        const ended = await trx
          .updateTable('holds')
          .set({ status: 'ORDERED' })
          .where('id', '=', hold.id)
          .where('status', '=', 'ACTIVE')
          .executeTakeFirst();
        if (changed(ended) !== 1) {
          // Ordered by a parallel payment: 409, naming the order. Ran out or let go while the
          // payment was under way: 410, as for a payment that came after (it had been a 409
          // "Hold … is EXPIRED", which a client taking 410 for the end of its hold did not know).
          const now = await trx.selectFrom('holds').select('status').where('id', '=', hold.id).executeTakeFirst();
          if (now?.status === 'RELEASED') {
            // Released by its event's cancellation while the payment was under way: say that, as
            // a payment for a hold of a cancelled event is told before it is charged.
            const inventory = await trx.selectFrom('inventories').select('status').where('event_id', '=', hold.event_id).executeTakeFirst();
            if (inventory?.status === 'CLOSED') throw new EventNotOnSale(hold.event_id, 'it was cancelled');
          }
          if (now?.status === 'ORDERED') throw new HoldNotActive(hold.id, 'ORDERED', await createHoldRepository(trx).orderIdOf(hold.id));
          throw new HoldExpired(hold.id);
        }
        await lockInventory(trx, hold.event_id);
        // A repeat that took the key over is paying for this hold too: it confirms it. (After the
        // event's lock, as a claim takes the two: one order for the locks everywhere.)
        if (reservation) await fenceReservation(trx, reservation, now);
        const booked = await trx
          .updateTable('seats')
          .set({ status: 'BOOKED', order_id: order.id, expires_at: null })
          .where(seatsStillHeldBy(hold, seatIds))
          .executeTakeFirst();
        if (changed(booked) !== seatIds.length) throw new HoldExpired(hold.id);
        // The payment attempt becomes this order; if the reconciler took it first (it gave up on a
        // payment that took too long), it is refunding that charge: no order.
        if (!(await takeAttempt(trx, order.id))) throw new PaymentAbandoned(order.id);
        await trx.insertInto('orders').values(order).execute();
        await trx.insertInto('tickets').values(tickets).execute();
        if (reservation) await storeAnswer(trx, reservation, reservation.answer({ order, tickets }));
        const batch = await recordChanges(
          trx,
          hold.event_id,
          seatIds.map((seatId) => ({ seatId, status: 'BOOKED' as const })),
          now,
          true,
        );
        if (!batch) throw new EventNotOnSale(hold.event_id, 'it was cancelled');
        return batch.batch;
      });
    },

    /**
     * Claims a confirmed order for cancellation (CONFIRMED → CANCELLING): from then on no ticket of
     * it checks in, since check-in needs the order CONFIRMED on this same row. Unless
     * `checkedInAllowed` (the organiser's override), the claim also needs no ticket checked in —
     * check-in counts on the row in its own transaction, so one of the two wins, whatever the timing.
     * Its tickets are voided and its seats put back on sale with the claim, which is never undone:
     * the refund that follows is the order's money, not its seats (a provider that keeps refusing
     * refunds no longer keeps them off sale). The seats' changes come back to be published.
     * Undefined when the order was not CONFIRMED (claimed or cancelled already); throws
     * OrderCheckedIn, changing nothing, when a ticket was checked in.
     * `resumeAt`: until when the claimer holds it (its lease); the sweeper may take over then.
     */
    async claimCancellation(order: OrderTable, now: number, resumeAt: number, checkedInAllowed: boolean): Promise<{ batch: SeatChangeBatch | undefined } | undefined> {
      return inTransaction(db, async (trx) => {
        // The event's inventory first. Taken after voiding the tickets, it would wait while holding
        // the gap of `tickets_order` next to this order's tickets — where a payment's confirm,
        // which holds the inventory, inserts its own tickets: each would wait for the other
        // (InnoDB aborts one, and it runs again).
        await lockInventory(trx, order.event_id);
        let claim = trx
          .updateTable('orders')
          .set({ status: 'CANCELLING', cancelled_at: now, cancel_next_attempt_at: resumeAt })
          .where('id', '=', order.id)
          .where('status', '=', 'CONFIRMED');
        if (!checkedInAllowed) claim = claim.where('checked_in_tickets', '=', 0);
        if (changed(await claim.executeTakeFirst()) !== 1) {
          const row = await trx.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirst();
          if (row?.status === 'CONFIRMED') throw new OrderCheckedIn(order.id);
          return undefined;
        }
        // Voided now, not at the finish: an instance older than the claim (during an upgrade) checks a
        // ticket in by its status alone. Written before the check below, so that such a check-in
        // either committed first (and is seen) or waits for this and finds the ticket void.
        await trx.updateTable('tickets').set({ status: 'VOID', valid_seat_id: null }).where('order_id', '=', order.id).execute();
        if (!checkedInAllowed) {
          // A check-in by an instance older than the count (during an upgrade) shows on its ticket only.
          const used = await trx.selectFrom('tickets').select('code').where('order_id', '=', order.id).where('checked_in_at', 'is not', null).limit(1).executeTakeFirst();
          if (used) throw new OrderCheckedIn(order.id); // rolls the claim back
        }
        return { batch: await freeSeats(trx, order, now) };
      });
    },

    /**
     * Finishes a claimed cancellation, once its refund went through (CANCELLING → CANCELLED). Its
     * seats went back on sale with the claim; those an instance of the previous release claimed
     * without freeing them (during an upgrade) are freed here — only then is the event's inventory
     * locked (a cancelled order never books a seat again, so a read without it can say there are
     * none). Undefined if it was not CANCELLING (finished already).
     */
    async finishCancellation(order: OrderTable, now: number): Promise<{ batch: SeatChangeBatch | undefined } | undefined> {
      const leftovers = (await seatsStillBooked(db, order)).length > 0;
      return inTransaction(db, async (trx) => {
        if (leftovers) await lockInventory(trx, order.event_id);
        const cancelled = await trx
          .updateTable('orders')
          .set({ status: 'CANCELLED', cancel_next_attempt_at: null })
          .where('id', '=', order.id)
          .where('status', '=', 'CANCELLING')
          .executeTakeFirst();
        if (changed(cancelled) !== 1) return undefined;
        return { batch: leftovers ? await freeSeats(trx, order, now) : undefined };
      });
    },

    /**
     * A claimed cancellation's refund (or finish) failed: the sweeper tries again at `nextAttemptAt`.
     * Only by the holder of the lease `lease`: one that outlived it must not move another's lease.
     */
    async rescheduleCancellation(orderId: string, lease: number, attempts: number, nextAttemptAt: number, lastError: string): Promise<void> {
      await db
        .updateTable('orders')
        .set({ cancel_attempts: attempts, cancel_next_attempt_at: nextAttemptAt, cancel_last_error: lastError.slice(0, 500) })
        .where('id', '=', orderId)
        .where('status', '=', 'CANCELLING')
        .where('cancel_next_attempt_at', '=', lease)
        .execute();
    },

    /** Claimed cancellations whose next attempt is due, the longest-waiting first. */
    async cancellationsDue(now: number, limit: number): Promise<OrderTable[]> {
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .where('status', '=', 'CANCELLING')
        .where('cancel_next_attempt_at', '<=', now)
        .orderBy('cancel_next_attempt_at')
        .limit(limit)
        .execute();
      return rows.map(normalize);
    },

    /**
     * Takes a claimed cancellation until `until` (its lease), if `cancel_next_attempt_at` is still
     * `seen` — the claimer's own lease, or a time that has come: true for the one caller that took
     * it; the others (sweepers, requests) pass it by meanwhile.
     */
    async leaseCancellation(orderId: string, seen: number, until: number): Promise<boolean> {
      const taken = await db
        .updateTable('orders')
        .set({ cancel_next_attempt_at: until })
        .where('id', '=', orderId)
        .where('status', '=', 'CANCELLING')
        .where('cancel_next_attempt_at', '=', seen)
        .executeTakeFirst();
      return changed(taken) === 1;
    },

    async find(orderId: string): Promise<OrderWithTickets | undefined> {
      const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
      if (!order) return undefined;
      return { order: normalize(order), tickets: await ticketsOf([order.id]) };
    },

    async findByHold(holdId: string): Promise<OrderWithTickets | undefined> {
      const order = await db.selectFrom('orders').select('id').where('hold_id', '=', holdId).executeTakeFirst();
      return order ? this.find(order.id) : undefined;
    },

    /** A buyer's orders, newest first, keyset-paginated on (created_at, id). */
    async listByBuyer(
      buyerId: string,
      limit: number,
      before?: { createdAt: number; id: string },
    ): Promise<OrderWithTickets[]> {
      let query = db.selectFrom('orders').selectAll().where('buyer_id', '=', buyerId);
      if (before) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', before.createdAt),
            eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
          ]),
        );
      }
      const orders = (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(normalize);
      const tickets = await ticketsOf(orders.map((o) => o.id));
      return orders.map((order) => ({ order, tickets: tickets.filter((t) => t.order_id === order.id) }));
    },

    /**
     * The event's orders by status, how many and their totals: one aggregate read, which finds the
     * event's orders by the index `orders_event` (event_id, status) and sums their totals in the
     * database — no order is sent to the service (an event may have 100,000).
     */
    async totalsOfEvent(eventId: string): Promise<Record<OrderStatus, { orders: number; cents: number }>> {
      const rows = await db
        .selectFrom('orders')
        .select((eb) => ['status', eb.fn.countAll<number | string>().as('orders'), eb.fn.sum<number | string | null>('total_cents').as('cents')])
        .where('event_id', '=', eventId)
        .groupBy('status')
        .execute();
      const totals: Record<OrderStatus, { orders: number; cents: number }> = {
        CONFIRMED: { orders: 0, cents: 0 },
        CANCELLING: { orders: 0, cents: 0 },
        CANCELLED: { orders: 0, cents: 0 },
      };
      // MySQL's SUM is a DECIMAL and its COUNT a BIGINT: both come back as text.
      for (const r of rows) totals[r.status] = { orders: Number(r.orders), cents: Number(r.cents ?? 0) };
      return totals;
    },

    async confirmedOfEvent(eventId: string): Promise<OrderTable[]> {
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .where('event_id', '=', eventId)
        .where('status', '=', 'CONFIRMED')
        .execute();
      return rows.map(normalize);
    },
  };
}
export type OrderRepository = ReturnType<typeof createOrderRepository>;
