/** Money and dates the way the reader's browser writes them. */
// The currencies module alone (no zod): the app's bundle takes only what it uses.
import { minorUnitDigits } from '@stream-seat/contracts/currencies';

/** An amount in `currency`'s minor units (cents, or yen: JPY has none smaller), as the reader writes money. */
export function money(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(minor / 10 ** digits);
}

const dateAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const zoneName = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

/**
 * "26 Nov 2026, 21:30 GMT+1": a show's time in the reader's zone, named, since a buyer travelling
 * to it may read it elsewhere. (`timeStyle` cannot be combined with `timeZoneName`, so the zone's
 * name comes from a formatter of its own, for the same instant: summer time included.)
 */
export function dateTime(iso: string): string {
  const at = new Date(iso);
  const zone = zoneName.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value;
  return zone ? `${dateAndTime.format(at)} ${zone}` : dateAndTime.format(at);
}

/** "21:34:05": a time of today, in the reader's way (when a hold ends, when a ticket was checked in). */
export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString();
}

/** "4:59" for a countdown. */
export function minutesSeconds(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** An event's status as a sentence says it ("on sale"); "changed" for one not given. */
export function statusWords(status: unknown): string {
  return typeof status === 'string' ? status.replace('_', ' ').toLowerCase() : 'changed';
}
