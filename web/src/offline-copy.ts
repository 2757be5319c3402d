/**
 * The app's side of the service worker (service-worker.ts, built to `/sw.js`): registering it, and
 * the names it shares with it — written out in both, since the worker is one file without imports.
 */

/** The worker's caches of a user's orders (and the events behind them) start so. */
const TICKETS_CACHE_PREFIX = 'stream-seat-tickets';
/** The worker marks an answer it served from what it kept, with when it kept it. */
export const OFFLINE_HEADER = 'x-stream-seat-offline';
/**
 * Asks the worker to keep an event's answer (its details, its seat map) for reading offline: sent
 * by the orders page for its tickets' events only — a seat map may be megabytes, and every event
 * page viewed would have been kept.
 */
export const KEEP_HEADER = 'x-stream-seat-keep';

/** Registers the worker, where the browser has them (and the page is served over HTTPS or from localhost). */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

/** Forgets every user's kept orders (sign-out): a shared device shows nobody's tickets once they have left. */
export async function forgetOfflineCopies(): Promise<void> {
  if (typeof caches === 'undefined') return;
  for (const name of await caches.keys()) if (name.startsWith(TICKETS_CACHE_PREFIX)) await caches.delete(name);
}
