/**
 * The catalogue's public shapes that other services rely on: venue layouts, venues, events,
 * seat maps, and the messages the event service sends the booking service.
 */
import { z } from 'zod';
import { cents, currency, entityId, humanText, isoDateTime, knownCurrency } from './common.js';
import {
  MAX_ROW_LABEL_LENGTH,
  MAX_ROWS_PER_SECTION,
  MAX_SEATS_PER_ORDER,
  MAX_SEATS_PER_ROW,
  MAX_SECTION_ID_LENGTH,
  MAX_SECTIONS,
  MAX_TIER_NAME_LENGTH,
  MAX_VENUE_SEATS,
  NAME_CHARACTERS,
} from './limits.js';

export const eventStatus = z.enum(['DRAFT', 'ON_SALE', 'CANCELLED']);
export type EventStatus = z.infer<typeof eventStatus>;

export const venueSummary = z.object({
  id: z.string(),
  name: z.string(),
  city: z.string().nullable(),
  capacity: z.number().int(),
});
export type VenueSummary = z.infer<typeof venueSummary>;

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

/** The rectangle a section occupies on the map, to draw its outline or a general-admission area. */
export const sectionArea = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const seatMapSection = z.object({
  id: entityId,
  name: z.string(),
  tier: z.string(),
  priceCents: cents,
  /** `seated`: the seats are listed; `general`: general admission, counted capacity only. */
  kind: z.enum(['seated', 'general']),
  capacity: z.number().int().min(0),
  area: sectionArea.optional(),
});
export type SeatMapSection = z.infer<typeof seatMapSection>;

export const point = z.object({ x: z.number(), y: z.number() });

export const seatMap = z.object({
  eventId: z.string(),
  venueId: z.string(),
  currency,
  bounds: z.object({ width: z.number(), height: z.number() }),
  /** Where the stage is, for "best available" (nearest the stage first). */
  stage: point,
  sections: z.array(seatMapSection),
  seats: z.array(seat),
});
export type SeatMap = z.infer<typeof seatMap>;

/**
 * A message the catalogue's outbox delivers to booking, until acknowledged (at least once). Its
 * ids are ids (a 5,000-character one had been a 500, too long for its column; an empty one or
 * `../x` left an inventory row of nothing).
 * Not strict: a field a newer catalogue adds must not have its messages refused, and retried for
 * good, by a booking instance of the release before during a rolling deploy.
 */
export const catalogueMessage = z.object({
  id: entityId.describe('unique message id: consumers deduplicate on it'),
  type: z.enum(['event.published', 'event.cancelled']),
  eventId: entityId,
  occurredAt: isoDateTime,
});
export type CatalogueMessage = z.infer<typeof catalogueMessage>;

// ---- Venue layouts (POST /api/venues) ----

/**
 * A coordinate a layout may give (a section's position, the stage), in map units (a seat is 10
 * wide): finite and within ±100,000, so that the map's bounds stay finite numbers (a width of
 * `1e308 - -1e308` is Infinity, written as `null` in JSON, and booking could not read the map).
 */
export const MAX_LAYOUT_COORDINATE = 100_000;
const layoutCoordinate = z.number().min(-MAX_LAYOUT_COORDINATE).max(MAX_LAYOUT_COORDINATE);
export const layoutPoint = z.strictObject({ x: layoutCoordinate, y: layoutCoordinate });

/**
 * Names every JavaScript object answers to (`__proto__`, `constructor`, `toString`, …). Section ids
 * and tiers become keys (availability counts, prices): as a key, `__proto__` would write into
 * every object's prototype, and `constructor` would read as a price that was never set.
 */
const OBJECT_PROPERTY_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
const notObjectPropertyName = (name: string) => !OBJECT_PROPERTY_NAMES.has(name);
const RESERVED_NAME_MESSAGE = 'is a name JavaScript objects reserve (__proto__, constructor, toString, …); choose another';

/** Section ids and row labels make up seat ids (`ORCH-A-12`), so they may not contain `-`. */
export const sectionId = z
  .string()
  .min(1)
  .max(MAX_SECTION_ID_LENGTH)
  .regex(NAME_CHARACTERS, `must be 1–${MAX_SECTION_ID_LENGTH} letters, digits or _`)
  .refine(notObjectPropertyName, RESERVED_NAME_MESSAGE);
export const rowLabel = z
  .string()
  .min(1)
  .max(MAX_ROW_LABEL_LENGTH)
  .regex(NAME_CHARACTERS, `must be 1–${MAX_ROW_LABEL_LENGTH} letters, digits or _`);
export const tierName = z
  .string()
  .min(1)
  .max(MAX_TIER_NAME_LENGTH)
  .regex(NAME_CHARACTERS, `must be 1–${MAX_TIER_NAME_LENGTH} letters, digits or _`)
  .refine(notObjectPropertyName, RESERVED_NAME_MESSAGE);

/**
 * The largest request body the event service takes, and the gateway passes on: a venue layout.
 * One of 1,000-seat rows is a few KB; one of 100,000 one-seat rows about 3.3 MB (a probe's).
 */
export const LAYOUT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export const layoutRow = z.strictObject({
  label: rowLabel,
  seats: z.number().int().min(1).max(MAX_SEATS_PER_ROW),
  /** Shifts the row sideways by this many seat widths (staggered theatre rows). */
  offset: z.number().min(-100).max(100).optional(),
  /** Bends the row around the stage: the row's ends come this many row depths nearer the stage. */
  curve: z.number().min(-10).max(10).optional(),
});

export const layoutSection = z.strictObject({
  id: sectionId,
  name: humanText(100),
  tier: tierName,
  /** Seated sections list their rows, front (nearest the stage) first. */
  rows: z.array(layoutRow).min(1).max(MAX_ROWS_PER_SECTION).optional(),
  /** General admission: a standing capacity instead of rows. */
  capacity: z.number().int().min(1).max(MAX_VENUE_SEATS).optional(),
  /** Where the section's top-left corner goes; default: side by side, left to right. */
  position: layoutPoint.optional(),
  /** Turns the section about its centre, in degrees (side blocks of an arena). */
  rotation: z.number().min(-360).max(360).optional(),
  /** Size of a general-admission area; default: a rectangle sized to its capacity. */
  size: z.strictObject({ width: z.number().min(1).max(100_000), height: z.number().min(1).max(100_000) }).optional(),
});
export type LayoutSection = z.infer<typeof layoutSection>;

export const venueLayout = z.strictObject({
  name: humanText(200),
  city: humanText(100).optional(),
  /** Where the stage is; default: centred in front of the first row of seats. */
  stage: layoutPoint.optional(),
  sections: z.array(layoutSection).min(1).max(MAX_SECTIONS),
});
export type VenueLayout = z.infer<typeof venueLayout>;

/** A seat of a venue: the event's seat map adds `priceCents` from the event's prices. */
export const venueSeat = seat.omit({ priceCents: true });
export type VenueSeat = z.infer<typeof venueSeat>;
export const venueSection = seatMapSection.omit({ priceCents: true });
export type VenueSection = z.infer<typeof venueSection>;

export const venueSeatMap = z.object({
  bounds: z.object({ width: z.number(), height: z.number() }),
  stage: point,
  sections: z.array(venueSection),
  seats: z.array(venueSeat),
});
export type VenueSeatMap = z.infer<typeof venueSeatMap>;

export const venue = venueSummary.extend({
  organizerId: z.string(),
  tiers: z.array(z.string()),
  createdAt: isoDateTime,
  seatMap: venueSeatMap,
});
export type VenueView = z.infer<typeof venue>;

// ---- Events (POST /api/events, PATCH /api/events/{id}) ----

export const eventInput = z.strictObject({
  venueId: entityId,
  name: humanText(200),
  startsAt: isoDateTime,
  currency: knownCurrency,
  prices: z.record(tierName, cents).default({}),
  salesStartAt: isoDateTime.nullable().optional(),
  salesEndAt: isoDateTime.nullable().optional(),
  maxSeatsPerOrder: z.number().int().min(1).max(MAX_SEATS_PER_ORDER).default(10),
});
export type EventInput = z.infer<typeof eventInput>;

export const eventPatch = z
  .object({
    venueId: entityId,
    name: humanText(200),
    startsAt: isoDateTime,
    currency: knownCurrency,
    prices: z.record(tierName, cents),
    salesStartAt: isoDateTime.nullable(),
    salesEndAt: isoDateTime.nullable(),
    maxSeatsPerOrder: z.number().int().min(1).max(MAX_SEATS_PER_ORDER),
  })
  .partial()
  .strict();
export type EventPatch = z.infer<typeof eventPatch>;
