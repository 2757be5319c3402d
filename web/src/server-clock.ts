/**
 * The time by the gateway's clock, learnt from its answers' `Date` headers. A browser's clock may
 * be off by minutes or hours; a hold's countdown and a session's end are judged by the server's.
 */
import { OFFLINE_HEADER } from './offline-copy.js';

/**
 * Where the last offset learnt is remembered: a page opened without a network learns none, and a
 * browser hours fast had then ended a running session as it opened (its tickets offered as a
 * session's that ran out, and the session gone once the network was back).
 */
const OFFSET_KEY = 'stream-seat.server-clock-offset';

function rememberedOffset(): number {
  try {
    const stored = Number(localStorage.getItem(OFFSET_KEY));
    return Number.isFinite(stored) ? stored : 0;
  } catch {
    return 0;
  }
}

/** How far the gateway's clock is ahead of this browser's, in ms (as last learnt, here or on an earlier page; 0 before any answer). */
let offset = rememberedOffset();

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
  if (!Number.isFinite(date)) return;
  const learnt = date - Date.now();
  // Written when it moved by more than the Date header's own second, not on every answer.
  if (Math.abs(learnt - offset) > 2_000) {
    try {
      localStorage.setItem(OFFSET_KEY, String(learnt));
    } catch {
      // Not remembered: learnt again on the next page.
    }
  }
  offset = learnt;
}
