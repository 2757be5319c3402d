/**
 * Brings what the service worker keeps for reading tickets offline up to date for the signed-in
 * buyer, in the background: their orders (up to KEPT_PAGES pages: "More orders" opens offline too —
 * orders come newest first, and tonight's ticket may have been bought weeks ago), the events
 * behind them, and the seat maps that name the places of shows not over yet. Once for each token
 * (keepOrdersForToken: at sign-in, here or by the identity provider's return, and at start-up for
 * a session begun before): the worker serves a user's copies only to a token the network accepted
 * for their orders, and a new token had found none offline until *My orders* was opened with it.
 * And after an order is placed (its tickets kept before the buyer reaches the door; the kept pages
 * again, since it moved their bounds).
 */
import type { EventView, OrderView, SeatMap } from '@stream-seat/contracts';
import { answered, api, type RequestOptions } from './api.js';
import type { CursorPage } from './paged-list.js';
import { serverNow } from './server-clock.js';
import { buys, currentSession, type Session } from './session.js';

/**
 * The reads the service worker keeps for the door (KEEP_HEADER): a page of the buyer's orders, and
 * the event and seat map that name their places — here and on the orders page alike. `options`:
 * whose token (`session`), or only what was kept for an ended session (`keptFor`).
 */
type KeptReadOptions = Pick<RequestOptions, 'keptFor' | 'session'>;
export const readOrdersPage = (cursor: string | null, options: KeptReadOptions = {}) =>
  answered<CursorPage<OrderView>>('GET', `/orders${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { ...options, keepOffline: true });
export const readEvent = (eventId: string, options: KeptReadOptions = {}) => api<EventView>('GET', `/events/${encodeURIComponent(eventId)}`, { ...options, keepOffline: true });
export const readSeatMap = (eventId: string, options: KeptReadOptions = {}) => api<SeatMap>('GET', `/events/${encodeURIComponent(eventId)}/seatmap`, { ...options, keepOffline: true });

/** How many pages of orders (20 each) are kept: a buyer's last hundred orders. */
const KEPT_PAGES = 5;
/** A show that started longer ago than this needs no seat map at the door. */
const SHOW_LENGTH_MS = 24 * 60 * 60 * 1000;
/** How long a page not yet in the worker's control (its first visit) waits for it. */
const CONTROL_WAIT_MS = 10_000;
/** The token whose orders were kept last (its signature part: the session holds the whole token anyway). */
const KEPT_TOKEN_KEY = 'stream-seat.kept-for-token';

/** The run under way, and whether another was asked for meanwhile. */
let running: Promise<void> | undefined;
let again = false;

/** Keeps the signed-in buyer's orders; one run at a time, and one more after it when asked meanwhile. */
export function keepOrdersForOffline(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = keepOrders().finally(() => {
    running = undefined;
    if (again) {
      again = false;
      void keepOrdersForOffline();
    }
  });
  return running;
}

/** keepOrdersForOffline, once for the signed-in buyer's token (a sign-in, a start-up, another tab's sign-in); nothing for an organiser. */
export function keepOrdersForToken(): void {
  const session = currentSession();
  if (!session || !buys(session) || tokenMark(session) === storedMark()) return;
  void keepOrdersForOffline();
}

const tokenMark = (session: Session) => session.token.slice(-43);
function storedMark(): string | null {
  try {
    return localStorage.getItem(KEPT_TOKEN_KEY);
  } catch {
    return null;
  }
}

async function keepOrders(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  // A first visit: the worker takes the page over a moment after it loads.
  if (!navigator.serviceWorker.controller) {
    await new Promise<void>((resolve) => {
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
      setTimeout(resolve, CONTROL_WAIT_MS);
    });
    // Without a worker in control nothing would be kept: the reads would only cost the services.
    if (!navigator.serviceWorker.controller) return;
  }
  // Every read with the token of the session this began for; stopped once it is over (a sign-out,
  // another user's sign-in), so that nothing is kept for it, or read with another's token, after.
  const session = currentSession();
  if (!session) return;
  const stillIts = () => currentSession()?.token === session.token;
  const keep: KeptReadOptions = { session };
  try {
    const eventIds = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < KEPT_PAGES && (page === 0 || cursor !== null) && stillIts(); page++) {
      const { items, nextCursor }: CursorPage<OrderView> = (await readOrdersPage(cursor, keep)).body;
      for (const order of items) if (order.status !== 'CANCELLED') eventIds.add(order.eventId);
      cursor = nextCursor;
    }
    if (stillIts()) localStorage.setItem(KEPT_TOKEN_KEY, tokenMark(session));
    // One after another: a background chore, not a burst of a hundred reads at each sign-in; one
    // event that cannot be read leaves the others kept.
    for (const id of eventIds) {
      if (!stillIts()) return;
      try {
        const event = await readEvent(id, keep);
        if (Date.parse(event.startsAt) + SHOW_LENGTH_MS > serverNow() && stillIts()) await readSeatMap(id, keep);
      } catch {
        // Kept the next time.
      }
    }
  } catch {
    // The orders could not be read: kept the next time (nothing here is the page's to say).
  }
}
