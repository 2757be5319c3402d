/**
 * The catalogue's public shapes that other services rely on: event status, event summary, seat
 * map, and the messages the event service sends the booking service. The event service owns
 * the request schemas of its own routes (see services/event/src/routes).
 */
import { z } from 'zod';
import { cents, currency, entityId, isoDateTime } from './common.js';

export const eventStatus = z.enum(['DRAFT', 'ON_SALE', 'CANCELLED']);
export type EventStatus = z.infer<typeof eventStatus>;

export const venueSummary = z.object({
  id: z.string(),
  name: z.string(),
  city: z.string().nullable(),
  capacity: z.number().int(),
});

export const event = z.object({
  id: z.string(),
  organizerId: z.string(),
  venueId: z.string(),
  name: z.string(),
  status: eventStatus,
  startsAt: isoDateTime,
  currency,
  prices: z.record(z.string(), cents),
  salesStartAt: isoDateTime.nullable(),
  salesEndAt: isoDateTime.nullable(),
  maxSeatsPerOrder: z.number().int().min(1),
  venue: venueSummary.optional(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type EventView = z.infer<typeof event>;

export const seat = z.object({
  id: z.string(),
  section: z.string(),
  row: z.string(),
  number: z.number().int(),
  x: z.number(),
  y: z.number(),
  tier: z.string(),
  priceCents: cents,
});
export type Seat = z.infer<typeof seat>;

export const seatMapSection = z.object({
  id: entityId,
  name: z.string(),
  tier: z.string(),
  priceCents: cents,
  /** `seated`: the seats are listed; `general`: general admission, counted capacity only. */
  kind: z.enum(['seated', 'general']),
  capacity: z.number().int().min(0),
});
export type SeatMapSection = z.infer<typeof seatMapSection>;

export const seatMap = z.object({
  eventId: z.string(),
  venueId: z.string(),
  currency,
  bounds: z.object({ width: z.number(), height: z.number() }),
  /** Where the stage is, for "best available" (nearest the stage first). */
  stage: z.object({ x: z.number(), y: z.number() }),
  sections: z.array(seatMapSection),
  seats: z.array(seat),
});
export type SeatMap = z.infer<typeof seatMap>;

/** Outbox messages from the catalogue to booking, delivered until acknowledged (at least once). */
export const catalogueMessage = z.object({
  id: z.string().describe('unique message id: consumers deduplicate on it'),
  type: z.enum(['event.published', 'event.cancelled']),
  eventId: z.string(),
  occurredAt: isoDateTime,
});
export type CatalogueMessage = z.infer<typeof catalogueMessage>;
