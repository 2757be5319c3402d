/** Rows → public shapes. Large seat maps are spliced in as stored JSON rather than re-serialized. */
import type { EventView, VenueSummary } from '@stream-seat/contracts';
import type { EventWithVenueRow } from '../db/event.repository.js';
import type { VenueSummaryRow } from '../db/venue.repository.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function toEventView(row: EventWithVenueRow): EventView {
  const venue: VenueSummary = {
    id: row.venue_id,
    name: row.venue_name,
    city: row.venue_city,
    capacity: Number(row.venue_capacity),
  };
  return {
    id: row.id,
    organizerId: row.organizer_id,
    venueId: row.venue_id,
    name: row.name,
    status: row.status,
    startsAt: new Date(Number(row.starts_at)).toISOString(),
    currency: row.currency,
    prices: JSON.parse(row.prices_json) as Record<string, number>,
    salesStartAt: iso(row.sales_start_at),
    salesEndAt: iso(row.sales_end_at),
    maxSeatsPerOrder: Number(row.max_seats_per_order),
    venue,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

export function toVenueSummaryView(row: VenueSummaryRow) {
  return {
    id: row.id,
    organizerId: row.organizer_id,
    name: row.name,
    city: row.city,
    capacity: Number(row.capacity),
    tiers: JSON.parse(row.tiers_json) as string[],
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

/** The venue view as JSON text: its summary with the stored seat map spliced in unparsed. */
export function venueJson(row: VenueSummaryRow, seatMapJson: string): string {
  const head = JSON.stringify(toVenueSummaryView(row));
  return `${head.slice(0, -1)},"seatMap":${seatMapJson}}`;
}
