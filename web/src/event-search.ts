/**
 * The events page's search: words of an event's name or its venue's city (the API's `q`, in any
 * case and with or without accents) and a range of days, kept in the page's address
 * (`#/?q=lyon&from=2031-12-01&to=2031-12-31`) so that a search can be bookmarked, shared and
 * gone back to.
 */
import { MAX_SEARCH_LENGTH } from '@stream-seat/contracts/limits';

export interface EventSearch {
  /** Words to find; '' for any. */
  q: string;
  /** The first and last day, `YYYY-MM-DD` in the reader's zone; '' for no bound. */
  fromDate: string;
  toDate: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * A day as typed in the address, if it is one: a day of the calendar (`2031-02-31` is none — it
 * had been taken as 3 March), in the years 1970–9998 (nothing is on sale before now, and the last
 * day of 9999 ends in the year 10000, which the API does not take).
 */
function day(value: string | undefined): string {
  const [, year, month, date] = DAY.exec(value ?? '') ?? [];
  const at = new Date(`${value}T00:00`);
  const real = at.getFullYear() === Number(year) && at.getMonth() + 1 === Number(month) && at.getDate() === Number(date);
  return real && at.getFullYear() >= 1970 && at.getFullYear() <= 9998 ? (value as string) : '';
}

/** The search an address's parameters name; what is malformed there is left out. */
export function searchOf(params: Record<string, string | undefined>): EventSearch {
  // Cut by characters, not UTF-16 units: half of a 𝄞 had been sent.
  return { q: [...(params['q'] ?? '').trim()].slice(0, MAX_SEARCH_LENGTH).join(''), fromDate: day(params['from']), toDate: day(params['to']) };
}

/** The page's address for a search (`#/` for none). */
export function searchHash(search: EventSearch): string {
  const query = new URLSearchParams();
  if (search.q.trim()) query.set('q', search.q.trim());
  if (search.fromDate) query.set('from', search.fromDate);
  if (search.toDate) query.set('to', search.toDate);
  const text = query.toString();
  return text ? `#/?${text}` : '#/';
}

/** Local midnight of a `YYYY-MM-DD` day, `days` later. */
function midnight(date: string, days = 0): number {
  const at = new Date(`${date}T00:00`);
  at.setDate(at.getDate() + days);
  return at.getTime();
}

/**
 * The API's query for the events on sale a search finds, from `now` on (an event under way is
 * still on sale in the catalogue, but its sales are over): from the first day's midnight, before
 * the midnight that ends the last day (the API's `to` is exclusive); undefined when no day of the
 * range is left.
 */
export function eventsQuery(search: EventSearch, now: number): string | undefined {
  const from = Math.max(now, search.fromDate ? midnight(search.fromDate) : now);
  const to = search.toDate ? midnight(search.toDate, 1) : undefined;
  // Days that end before they begin, or before now: nothing can be on sale in them (the API would
  // refuse the range as "to must be after from", which the page had shown as it was).
  if (to !== undefined && to <= from) return undefined;
  const query = new URLSearchParams({ status: 'ON_SALE', from: new Date(from).toISOString() });
  if (to !== undefined) query.set('to', new Date(to).toISOString());
  if (search.q) query.set('q', search.q);
  return query.toString();
}

/** Whether the search narrows the list at all. */
export const searching = (search: EventSearch): boolean => Boolean(search.q || search.fromDate || search.toDate);
