/** The booking service's public shapes: availability, holds, orders, tickets, sales, seat changes. */
import { z } from 'zod';
import { sectionId, tierName } from './catalogue.js';
import { currency, entityId, isoDateTime, orderCents } from './common.js';

export const seatStatus = z.enum(['AVAILABLE', 'HELD', 'BOOKED']);
export type SeatStatusValue = z.infer<typeof seatStatus>;

/** One seat whose state changed, as published after a commit and streamed to browsers. */
export const seatChange = z.object({ seatId: z.string(), status: seatStatus });
export type SeatChange = z.infer<typeof seatChange>;
export const seatChangeBatch = z.object({
  eventId: z.string(),
  seq: z.number().int().min(1),
  changes: z.array(seatChange),
  /** When the change committed (epoch ms): lets subscribers measure delivery lag. */
  committedAt: z.number().int().optional(),
  /** The event was cancelled: nothing more is sold (its holds and orders end in the changes that follow). */
  cancelled: z.literal(true).optional(),
});
export type SeatChangeBatch = z.infer<typeof seatChangeBatch>;


/** `GET /api/availability/{eventId}`: every seat's state and the change number it reflects. */
export const availability = z.object({
  eventId: z.string(),
  seq: z.number().int(),
  /** True once the event was cancelled: the seats' states stay readable, but nothing is sold. */
  cancelled: z.boolean(),
  seats: z.record(z.string(), seatStatus),
  /** Totals by status, plus `bySection` and `byTier` breakdowns of available seats. */
  counts: z.object({
    AVAILABLE: z.number().int(),
    HELD: z.number().int(),
    BOOKED: z.number().int(),
    bySection: z.record(z.string(), z.object({ available: z.number().int(), total: z.number().int() })),
    byTier: z.record(z.string(), z.object({ available: z.number().int(), total: z.number().int() })),
  }),
});
export type Availability = z.infer<typeof availability>;

/**
 * `POST /api/holds`: either explicit `seatIds`, or best available (`quantity`, optionally within a
 * `section` or `tier`; `together` asks for adjacent seats in one row). Exactly one of `seatIds`
 * and `quantity` is given.
 */
export const createHoldRequest = z.strictObject({
  eventId: entityId,
  seatIds: z.array(entityId).min(1).max(100).optional(),
  quantity: z.number().int().min(1).max(100).optional(),
  section: sectionId.optional(),
  tier: tierName.optional(),
  together: z.boolean().optional(),
});
export type CreateHoldRequest = z.infer<typeof createHoldRequest>;

export const hold = z.object({
  holdId: z.string(),
  eventId: z.string(),
  seatIds: z.array(z.string()),
  expiresAt: isoDateTime,
  totalCents: orderCents,
  currency,
  status: z.enum(['ACTIVE', 'RELEASED', 'EXPIRED', 'ORDERED']),
  /** The order the hold became: with `GET /api/holds/{id}` of an ORDERED hold. */
  orderId: z.string().optional(),
});
export type HoldView = z.infer<typeof hold>;

export const createOrderRequest = z.strictObject({
  holdId: entityId,
  payment: z.strictObject({ token: z.string().min(1).max(200) }),
});
export type CreateOrderRequest = z.infer<typeof createOrderRequest>;

export const ticket = z.object({
  /** At least 128 bits of randomness, base64url: fit for a QR code, never guessable. */
  code: z.string(),
  seatId: z.string(),
  status: z.enum(['VALID', 'VOID']),
  checkedInAt: isoDateTime.nullable(),
});
export type TicketView = z.infer<typeof ticket>;

export const order = z.object({
  orderId: z.string(),
  eventId: z.string(),
  holdId: z.string(),
  status: z.enum(['CONFIRMED', 'CANCELLED']),
  tickets: z.array(ticket),
  totalCents: orderCents,
  currency,
  createdAt: isoDateTime,
  cancelledAt: isoDateTime.nullable(),
  /**
   * PENDING while a cancelled order's refund has not gone through yet (the provider failed or is
   * slow): it is retried in the background until it does. Absent otherwise.
   */
  refund: z.enum(['PENDING']).optional(),
});
export type OrderView = z.infer<typeof order>;

export const checkIn = z.object({
  code: z.string(),
  eventId: z.string(),
  orderId: z.string(),
  seatId: z.string(),
  checkedInAt: isoDateTime,
});
export type CheckInView = z.infer<typeof checkIn>;

const count = z.number().int().min(0);

/**
 * `GET /api/sales/{eventId}`: an event's sales figures, for its organiser. An order being cancelled
 * (its refund not through yet) counts as cancelled, but its money in neither `revenueCents` nor
 * `refundedCents` until the refund goes through.
 */
export const salesSummary = z.object({
  eventId: entityId,
  currency,
  /** Orders that stand, and orders cancelled (refunded, or being refunded). */
  orders: z.object({ confirmed: count, cancelled: count }),
  /** Tickets of the orders that stand, and of those the tickets checked in. */
  tickets: z.object({ sold: count, checkedIn: count }),
  /** The seats as availability counts them now: BOOKED, HELD (by a hold still running), AVAILABLE, all. */
  seats: z.object({ sold: count, held: count, available: count, total: count }),
  /** True once the event was cancelled: nothing more is sold, whatever the seats read (as availability says). */
  cancelled: z.boolean(),
  revenueCents: count.describe('the totals of the orders that stand (CONFIRMED), in minor units'),
  refundedCents: count.describe('the totals of the cancelled orders whose refund went through, in minor units'),
});
export type SalesSummary = z.infer<typeof salesSummary>;
