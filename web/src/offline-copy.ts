/**
 * The app's side of the service worker (service-worker.ts, built to `/sw.js`): registering it, and
 * the names it shares with it — written out in both, since the worker is one file without imports.
 */

/** The worker's caches of what the app asked to keep (a user's orders, the events behind them) start so. */
export const TICKETS_CACHE_PREFIX = 'stream-seat-tickets';
/** The worker marks an answer it served from what it kept, with when it kept it. */
export const OFFLINE_HEADER = 'x-stream-seat-offline';
/**
 * Asks the worker to keep a GET's answer for reading offline, and to serve it when the network
 * cannot: sent for the buyer's orders and the events and seat maps behind them only (the orders
 * page, kept-orders.ts) — a seat map may be megabytes, and every event page viewed would have been
 * kept; other pages' reads must fail as they are, never be answered from an old copy.
 */
export const KEEP_HEADER = 'x-stream-seat-keep';
/**
 * With KEEP_HEADER: the kept answer only, never the network — a session that ended without a
 * sign-out (session.ts's lapsed session) reads its tickets so; its token would only be refused.
 */
export const KEPT_ONLY_HEADER = 'x-stream-seat-kept-only';

/** Registers the worker, where the browser has them (and the page is served over HTTPS or from localhost). */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  // Said, not thrown: the app works without it (tickets then need the network).
  void navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('the service worker could not be registered: tickets will need the network', error));
}

/** Posted to the worker by forgetOfflineCopies: it drops the keeps still on their way. */
export const FORGET_MESSAGE = 'stream-seat-forget-tickets';

/**
 * Forgets every user's kept orders (sign-out): a shared device shows nobody's tickets once they
 * have left. The worker is told too, so that a keep on its way does not put them back.
 */
export async function forgetOfflineCopies(): Promise<void> {
  if (typeof caches === 'undefined') return;
  if (typeof navigator !== 'undefined' && 'serviceWorker' in navigator) navigator.serviceWorker.controller?.postMessage(FORGET_MESSAGE);
  for (const name of await caches.keys()) if (name.startsWith(TICKETS_CACHE_PREFIX)) await caches.delete(name);
}
