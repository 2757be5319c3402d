/**
 * Brings what the service worker keeps for reading tickets offline up to date for the signed-in
 * buyer, in the background: their orders (up to KEPT_PAGES pages: "More orders" opens offline too —
 * orders come newest first, and tonight's ticket may have been bought weeks ago), the events
 * behind them, and the seat maps that name the places of shows not over yet — at each sign-in,
 * since the worker serves a user's copies only to a token the network accepted for them (a new
 * token had found none offline until *My orders* was opened with it), and after an order is placed
 * (its tickets kept before the buyer reaches the door).
 */
import type { EventView, OrderView } from '@stream-seat/contracts';
import { api } from './api.js';
import { serverNow } from './server-clock.js';

/** How many pages of orders (20 each) are kept: a buyer's last hundred orders. */
const KEPT_PAGES = 5;
/** A show that started longer ago than this needs no seat map at the door. */
const SHOW_LENGTH_MS = 24 * 60 * 60 * 1000;

export async function keepOrdersForOffline(): Promise<void> {
  // Without a worker in control nothing would be kept: the reads would only cost the services.
  if (!('serviceWorker' in navigator) || !navigator.serviceWorker.controller) return;
  const keep = { keepOffline: true };
  try {
    const eventIds = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < KEPT_PAGES && (page === 0 || cursor !== null); page++) {
      const { items, nextCursor }: { items: OrderView[]; nextCursor: string | null } = await api('GET', `/orders${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, keep);
      for (const order of items) eventIds.add(order.eventId);
      cursor = nextCursor;
    }
    // One after another: a background chore, not a burst of a hundred reads at each sign-in.
    for (const id of eventIds) {
      const event = await api<EventView>('GET', `/events/${encodeURIComponent(id)}`, keep);
      if (Date.parse(event.startsAt) + SHOW_LENGTH_MS > serverNow()) await api('GET', `/events/${encodeURIComponent(id)}/seatmap`, keep);
    }
  } catch {
    // Kept the next time: nothing here is the page's to say.
  }
}
