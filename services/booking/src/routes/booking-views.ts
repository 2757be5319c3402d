/** Rows → the public shapes of packages/contracts (booking). */
import type { CheckInView, HoldView, OrderView } from '@stream-seat/contracts';
import type { OrderWithTickets } from '../db/order.repository.js';
import type { HoldTable, TicketTable } from '../db/schema.js';
import { bySeat, inReadingOrder } from '../domain/seat-order.js';

const iso = (ms: number) => new Date(Number(ms)).toISOString();

/** `orderId`: the order an ORDERED hold became, when the caller looked it up. */
export function toHoldView(hold: HoldTable, now: number, orderId?: string): HoldView {
  return {
    holdId: hold.id,
    eventId: hold.event_id,
    seatIds: inReadingOrder(JSON.parse(hold.seat_ids_json) as string[]),
    expiresAt: iso(hold.expires_at),
    totalCents: Number(hold.total_cents),
    currency: hold.currency,
    // An active hold past its time is expired now, whether or not the sweeper has run.
    status: hold.status === 'ACTIVE' && Number(hold.expires_at) <= now ? 'EXPIRED' : hold.status,
    ...(orderId === undefined ? {} : { orderId }),
  };
}

/**
 * An order being cancelled (CANCELLING: claimed, its refund not through yet) shows as CANCELLED with
 * void tickets: the claim is never undone, its tickets admit no one, and its refund is retried until
 * it goes through (`refund: PENDING` says so). Its seats went back on sale with the claim.
 */
export function toOrderView({ order, tickets }: OrderWithTickets): OrderView {
  const cancelled = order.status !== 'CONFIRMED';
  return {
    orderId: order.id,
    eventId: order.event_id,
    holdId: order.hold_id,
    status: cancelled ? 'CANCELLED' : 'CONFIRMED',
    tickets: [...tickets].sort((a, b) => bySeat(a.seat_id, b.seat_id)).map((t) => ({
      code: t.code,
      seatId: t.seat_id,
      status: cancelled ? 'VOID' : t.status,
      checkedInAt: t.checked_in_at === null ? null : iso(t.checked_in_at),
    })),
    totalCents: Number(order.total_cents),
    currency: order.currency,
    createdAt: iso(order.created_at),
    cancelledAt: order.cancelled_at === null ? null : iso(order.cancelled_at),
    ...(order.status === 'CANCELLING' ? { refund: 'PENDING' as const } : {}),
  };
}

export function toCheckInView(ticket: TicketTable): CheckInView {
  return {
    code: ticket.code,
    eventId: ticket.event_id,
    orderId: ticket.order_id,
    seatId: ticket.seat_id,
    checkedInAt: iso(ticket.checked_in_at ?? 0),
  };
}
