/**
 * Brings what the service worker keeps for reading tickets offline up to date for the signed-in
 * buyer, in the background: the first page of their orders, and the events and seat maps naming
 * their places — at each sign-in, since the worker serves a user's copies only to a token the
 * network accepted for them (a new token had found none offline until *My orders* was opened with
 * it), and after an order is placed (its tickets kept before the buyer reaches the door).
 */
import type { OrderView } from '@stream-seat/contracts';
import { api } from './api.js';

export async function keepOrdersForOffline(): Promise<void> {
  // Without a worker in control nothing would be kept: the reads would only cost the services.
  if (!('serviceWorker' in navigator) || !navigator.serviceWorker.controller) return;
  try {
    const { items } = await api<{ items: OrderView[] }>('GET', '/orders', { keepOffline: true });
    const events = [...new Set(items.map((order) => order.eventId))].map(encodeURIComponent);
    await Promise.all(events.flatMap((id) => [api('GET', `/events/${id}`, { keepOffline: true }), api('GET', `/events/${id}/seatmap`, { keepOffline: true })]));
  } catch {
    // Kept the next time: nothing here is the page's to say.
  }
}
