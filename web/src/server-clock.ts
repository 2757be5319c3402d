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

/** The offset last written to OFFSET_KEY. */
let storedOffset = rememberedOffset();
/** How far the gateway's clock is ahead of this browser's, in ms (as last learnt, here or on an earlier page; 0 before any answer). */
let offset = storedOffset;
/** Whether an answer of the gateway's on this page taught the offset (not only an earlier page). */
let learntHere = false;

export function serverNow(): number {
  return Date.now() + offset;
}

/**
 * The time a session's end is judged by: the server's as learnt on this page; before any answer
 * here, the earlier of this browser's and the server's as last learnt — so that neither a browser
 * hours fast (its tickets opened offline) nor one corrected since the offset was learnt ends a
 * running session before the gateway is heard (whose 401 ends one that is over).
 */
export function sessionNow(): number {
  return learntHere ? serverNow() : Math.min(Date.now(), serverNow());
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
  // Written when it moved by more than the Date header's own second from what is stored, not on every answer.
  if (Math.abs(learnt - storedOffset) > 2_000) {
    try {
      localStorage.setItem(OFFSET_KEY, String(learnt));
      storedOffset = learnt;
    } catch {
      // Not remembered: learnt again on the next page.
    }
  }
  offset = learnt;
  learntHere = true;
}
