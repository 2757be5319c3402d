/**
 * The time by the gateway's clock, learnt from its answers' `Date` headers. A browser's clock may
 * be off by minutes or hours; a hold's countdown and a session's end are judged by the server's.
 */
import { OFFLINE_HEADER } from './offline-copy.js';

/** How far the gateway's clock is ahead of this browser's, in ms (0 until the first answer). */
let offset = 0;

export function serverNow(): number {
  return Date.now() + offset;
}

/**
 * Learns the server's time from an answer of the gateway (to within its `Date`'s whole second) —
 * not from a copy the service worker kept, whose `Date` is when it was kept: the clock had gone
 * back to then offline, and a session already over had still been taken as running.
 */
export function noteServerDate(response: Response): void {
  if (response.headers.has(OFFLINE_HEADER)) return;
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isFinite(date)) offset = date - Date.now();
}
