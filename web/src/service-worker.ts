/**
 * The service worker (`/sw.js`): a buyer's tickets open without a network — at the venue's door,
 * where phones often have none. The app's files are kept as they are fetched (those under
 * /assets/ never change: their names are their content's hash); the buyer's orders, and the
 * events and seat maps that name their places (those the app asks to keep), are fetched from the
 * network first and kept, and
 * served from what was kept when the network fails, marked `x-stream-seat-offline` with when they
 * were kept. Orders are kept per signed-in user (by a hash of the token's subject, never the token),
 * so that nobody on a shared device is shown another's tickets; signing out forgets them all.
 * Everything else goes to the network untouched: holds, payments, the live stream.
 */

/** What of the service worker's scope this file uses (its types are not in the DOM library the app is checked with). */
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  waitUntil(work: Promise<unknown>): void;
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  readonly location: Location;
}
const worker = self as unknown as ServiceWorkerScope;

// The worker is built as one file without imports (a classic script, which every browser runs as a
// service worker): the names the app shares with it are written out in both, as offline-copy.ts
// says, and the browser tests hold them together.
/** The app's own files. */
const SHELL_CACHE = 'stream-seat-shell-v1';
/** Orders, events and seat maps, for reading offline (forgotten on sign-out: offline-copy.ts). */
const TICKETS_CACHE = 'stream-seat-tickets-v1';
/** Says a response came from what was kept, and when it was (ISO 8601). */
const OFFLINE_HEADER = 'x-stream-seat-offline';
/** Sent by the app for an event's answers it wants kept (its tickets' events: not every event page viewed). */
const KEEP_HEADER = 'x-stream-seat-keep';

/** Kept answers the app reads offline: the buyer's orders, and the public events and seat maps behind them. */
const ORDERS = /^\/api\/orders(?:\/[^/]+)?$/;
const EVENTS = /^\/api\/events\/[^/]+(?:\/seatmap)?$/;
/** An order's cancellation: the orders kept for its user are out of date once it is done. */
const CANCEL = /^\/api\/orders\/[^/]+\/cancel$/;

worker.addEventListener('install', (event) => event.waitUntil(worker.skipWaiting()));
worker.addEventListener('activate', (event) =>
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL_CACHE && name !== TICKETS_CACHE) await caches.delete(name);
      await worker.clients.claim();
    })(),
  ),
);

/**
 * Who a request is from: the subject of its bearer token (read, not verified: the gateway verifies
 * it), so that a user signed in again — with a new token — finds what was kept for them; the
 * whole header for a token that is not a JWT.
 */
function userOf(authorization: string): string {
  try {
    const payload = authorization.replace(/^Bearer\s+/i, '').split('.')[1] ?? '';
    const { sub } = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown };
    if (typeof sub === 'string') return `sub:${sub}`;
  } catch {
    // Not a JWT: the header itself.
  }
  return `header:${authorization}`;
}

/** The key an answer is kept under: its address, and for a user's own answers a hash of who they are. */
async function keyOf(request: Request): Promise<string> {
  const authorization = request.headers.get('authorization');
  if (!authorization) return request.url;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(userOf(authorization)));
  const user = [...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const url = new URL(request.url);
  url.searchParams.set('__user', user);
  return url.href;
}

/**
 * The network's answer — a 200 kept (when `keep`), in the background: the page does not wait for
 * the copy — or, when the network cannot be reached, what was kept, marked.
 */
async function networkFirst(event: FetchEvent, cacheName: string, key: string, keep = true, kept?: (body: Blob) => Promise<void>): Promise<Response> {
  const { request } = event;
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (keep && response.status === 200) {
      const copy = response.clone();
      event.waitUntil(
        copy.blob().then(async (body) => {
          const headers = new Headers(copy.headers);
          headers.set(OFFLINE_HEADER, new Date().toISOString());
          await cache.put(key, new Response(body, { status: 200, statusText: copy.statusText, headers }));
          await kept?.(body);
        }),
      );
    }
    return response;
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw error;
  }
}

/**
 * Forgets the app's files of earlier releases: those under /assets/ that the page just kept names
 * neither itself nor through a script it names (a chunk loaded later, such as the camera's decoder,
 * is imported by the app's script as `./jsQR-….js`).
 */
async function pruneAssets(page: Blob): Promise<void> {
  const cache = await caches.open(SHELL_CACHE);
  const named = new Set((await page.text()).match(/\/assets\/[^"'\s)]+/g) ?? []);
  for (const script of [...named].filter((path) => path.endsWith('.js'))) {
    const text = await (await cache.match(new URL(script, worker.location.origin).href))?.text();
    for (const [, file] of text?.matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g) ?? []) named.add(`/assets/${file}`);
  }
  for (const request of await cache.keys()) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/assets/') && !named.has(pathname)) await cache.delete(request);
  }
}

/** A cancellation, passed on; once done, the orders kept for its user are forgotten (they would show it confirmed). */
async function forgettingOrders({ request }: FetchEvent): Promise<Response> {
  const key = await keyOf(request);
  const response = await fetch(request);
  if (response.ok) {
    // Before the page hears of it: the list it asks for next is kept afresh, never deleted after.
    const user = new URL(key).searchParams.get('__user');
    const cache = await caches.open(TICKETS_CACHE);
    for (const kept of await cache.keys()) {
      const url = new URL(kept.url);
      if (ORDERS.test(url.pathname) && url.searchParams.get('__user') === user) await cache.delete(kept);
    }
  }
  return response;
}

/** What was kept, else the network's answer (kept): for files whose name is their content's hash. */
async function cacheFirst(event: FetchEvent): Promise<Response> {
  const { request } = event;
  const cache = await caches.open(SHELL_CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 200) event.waitUntil(cache.put(request, response.clone()));
  return response;
}

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || (request.method !== 'GET' && !CANCEL.test(url.pathname))) return;
  if (url.pathname === '/' || url.pathname === '/index.html' || url.pathname === '/app-config.json') {
    // The app's page (its hash is not sent) and its settings, from the network first: a new release
    // shows as soon as it is online. Other pages of the origin (the gateway's /docs) are not the
    // app's: they pass, and never take the app's place in what is kept.
    // The page under one key whatever its query (a sign-in's return, `?code=…&state=…`, had been
    // kept as a page of its own, and offline `/?utm_source=…` found nothing).
    const page = url.pathname !== '/app-config.json';
    event.respondWith(networkFirst(event, SHELL_CACHE, page ? new URL('/', url).href : url.href, true, page ? pruneAssets : undefined));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(event));
  } else if (request.method === 'POST' && CANCEL.test(url.pathname)) {
    event.respondWith(forgettingOrders(event));
  } else if (ORDERS.test(url.pathname)) {
    event.respondWith(keyOf(request).then((key) => networkFirst(event, TICKETS_CACHE, key)));
  } else if (EVENTS.test(url.pathname)) {
    // Kept when the app asks (a ticket's event); served from what was kept offline whoever asks.
    event.respondWith(keyOf(request).then((key) => networkFirst(event, TICKETS_CACHE, key, request.headers.has(KEEP_HEADER))));
  }
});

export {};
