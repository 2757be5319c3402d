/**
 * Whether an event takes holds now, and how many seats one order may have. Sales end at
 * `salesEndAt`, or when the event starts if it has none: no ticket is sold for a show under way.
 */
import { EventNotOnSale, TooManySeats } from './booking-errors.js';
import type { CatalogueEvent } from './catalogue-client.js';

export function assertOnSale(event: CatalogueEvent, now: number): void {
  if (event.status !== 'ON_SALE') throw new EventNotOnSale(event.id, `its status is ${event.status}`);
  if (event.salesStartAt && Date.parse(event.salesStartAt) > now) {
    throw new EventNotOnSale(event.id, `sales open at ${event.salesStartAt}`);
  }
  if (event.salesEndAt && Date.parse(event.salesEndAt) <= now) {
    throw new EventNotOnSale(event.id, `sales closed at ${event.salesEndAt}`);
  }
  if (Date.parse(event.startsAt) <= now) throw new EventNotOnSale(event.id, `it started at ${event.startsAt}`);
}

/** When sales end, as assertOnSale has it: at `salesEndAt`, and at the event's start at the latest. */
export function salesEndMs(event: CatalogueEvent): number {
  const startsAt = Date.parse(event.startsAt);
  return event.salesEndAt ? Math.min(Date.parse(event.salesEndAt), startsAt) : startsAt;
}

export function assertSeatCount(event: CatalogueEvent, field: string, count: number): void {
  if (count > event.maxSeatsPerOrder) throw new TooManySeats(field, event.maxSeatsPerOrder);
}
