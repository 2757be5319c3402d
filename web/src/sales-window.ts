/**
 * Where an event's sales stand at a moment, as the booking service judges them (sales-rules.ts):
 * open from `salesStartAt` (if any) until `salesEndAt`, and never once the event has started.
 * Pure, tested in web/test/sales-window.test.ts; the event page asks it every second.
 */
import { dateTime } from './format.js';

export type SalesState = { kind: 'open' } | { kind: 'before'; opensAt: string } | { kind: 'over' };

export interface SalesWindow {
  startsAt: string;
  salesStartAt: string | null;
  salesEndAt: string | null;
}

/** What a page says of sales not open: "Sales open <when>", or that they are over; nothing while open. */
export function salesNotice(sales: SalesState): string | undefined {
  if (sales.kind === 'before') return `Sales open ${dateTime(sales.opensAt)}`;
  return sales.kind === 'over' ? 'Sales for this event are over' : undefined;
}

export function salesState(event: SalesWindow, now: number): SalesState {
  const startsAt = Date.parse(event.startsAt);
  const end = event.salesEndAt === null ? startsAt : Math.min(Date.parse(event.salesEndAt), startsAt);
  if (now >= end) return { kind: 'over' };
  if (event.salesStartAt !== null && now < Date.parse(event.salesStartAt)) return { kind: 'before', opensAt: event.salesStartAt };
  return { kind: 'open' };
}
