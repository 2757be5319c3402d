/**
 * The service worker (`/sw.js`): a buyer's tickets open without a network — at the venue's door,
 * where phones often have none. The app itself (its page, settings and the files the page names)
 * is kept as soon as the worker is installed, on the first visit, and again with each new page;
 * the answers the app asks to keep (`x-stream-seat-keep`: the buyer's orders, and the events and
 * seat maps that name their places) are fetched from the network first and kept. When the network
 * fails, answers 502–504, or keeps a kept answer waiting past NETWORK_PATIENCE_MS, what was kept is
 * served, marked `x-stream-seat-offline` with when it was kept. A user's answers are kept under a
 * hash of their token's subject (never the token), so that nobody on a shared device is shown
 * another's tickets; signing out forgets them all (a session that ended without a sign-out — its
 * token run out — still reads its own: `x-stream-seat-kept-only`). Everything else goes to the network untouched:
 * holds, payments, the live stream, other pages of the origin.
 */

/** What of the service worker's scope this file uses (its types are not in the DOM library the app is checked with). */
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
}
interface ServiceWorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  readonly location: Location;
}
const worker = self as unknown as ServiceWorkerScope;

// The worker is built as one file without imports (a classic script, which every browser runs as a
// service worker; the build fails otherwise: web/vite.config.ts): the names the app shares with it
// are written out in both (offline-copy.ts), and web/test/offline-copy.test.ts holds them together.
/** The caches of this app start so; others on the origin are not the worker's to delete. */
const CACHE_PREFIX = 'stream-seat-';
/** The app's own files. */
const SHELL_CACHE = `${CACHE_PREFIX}shell-v1`;
/** Answers the app asked to keep, for reading offline (forgotten on sign-out: offline-copy.ts). */
const TICKETS_CACHE = `${CACHE_PREFIX}tickets-v1`;
/** Says a response came from what was kept, and when it was (ISO 8601). */
const OFFLINE_HEADER = 'x-stream-seat-offline';
/** Posted by the app when it forgets every kept ticket (a sign-out). */
const FORGET_MESSAGE = 'stream-seat-forget-tickets';
/** Sent by the app with a GET whose answer it wants kept and served offline. */
const KEEP_HEADER = 'x-stream-seat-keep';
/** With KEEP_HEADER: the kept answer only, never the network (a session that ended without a sign-out reads its tickets so). */
const KEPT_ONLY_HEADER = 'x-stream-seat-kept-only';
/**
 * How long a request that has a kept answer waits for the network before it gets the kept one
 * (the network's answer is still kept when it comes): a phone with one bar at the door had
 * waited for the page's own timeout, 35 s, and then shown "The server did not answer".
 */
const NETWORK_PATIENCE_MS = 4_000;
/**
 * Once the network has failed a request, how long the next ones that have a kept answer get it at
 * once (their network answer still kept when it comes): a page's four reads had each waited out
 * the patience, 16 s in all.
 */
const NETWORK_DOWN_MS = 15_000;
/** Until when the network is taken as down (0: it answered last). */
let networkDownUntil = 0;

const APP_PAGE = '/';
const APP_CONFIG = '/app-config.json';
/** An order's cancellation: the user's kept orders are brought up to date with its answer. */
const CANCEL = /^\/api\/orders\/([^/]+)\/cancel$/;

worker.addEventListener('install', (event) =>
  // The app kept now: on the first visit its page and files were fetched before the worker was there.
  event.waitUntil(keepApp().catch(() => undefined).then(() => worker.skipWaiting())),
);
worker.addEventListener('activate', (event) =>
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX) && name !== SHELL_CACHE && name !== TICKETS_CACHE) await caches.delete(name);
      await worker.clients.claim();
    })(),
  ),
);

/** A copy of `response` to keep, marked with when it was kept. */
async function keepable(response: Response): Promise<Response> {
  const headers = new Headers(response.headers);
  headers.set(OFFLINE_HEADER, new Date().toISOString());
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

/** Fetches and keeps the app's page, its settings, and the files the page names. */
async function keepApp(): Promise<void> {
  const cache = await caches.open(SHELL_CACHE);
  const [page, config] = await Promise.all([fetch(APP_PAGE, { cache: 'no-cache' }), fetch(APP_CONFIG, { cache: 'no-cache' })]);
  if (config.status === 200) await cache.put(new URL(APP_CONFIG, worker.location.origin).href, await keepable(config));
  if (page.status !== 200) return;
  const kept = await keepable(page);
  await cache.put(new URL(APP_PAGE, worker.location.origin).href, kept.clone());
  await keepFilesOf(await kept.text());
}

/** The page whose files were kept last (while this worker runs). */
let filesKeptFor = '';

/**
 * Keeps the files under /assets/ that the app's page names, and the chunks its scripts load later
 * (`./jsQR-….js`, the camera's decoder), fetching those not kept yet; forgets the files of earlier
 * releases.
 */
async function keepFilesOf(page: string): Promise<void> {
  // The same page as last kept (every load of one release): its files are kept already.
  if (page === filesKeptFor) return;
  const cache = await caches.open(SHELL_CACHE);
  const named = new Set(page.match(/\/assets\/[^"'\s)]+/g) ?? []);
  const kept = (path: string) => keptFile(new URL(path, worker.location.origin).href).catch(() => undefined);
  for (const path of [...named]) {
    const file = await kept(path);
    if (!path.endsWith('.js') || file?.status !== 200) continue;
    for (const [, chunk] of (await file.text()).matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g)) {
      named.add(`/assets/${chunk}`);
      await kept(`/assets/${chunk}`);
    }
  }
  filesKeptFor = page;
  for (const request of await cache.keys()) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/assets/') && !named.has(pathname)) await cache.delete(request);
  }
}

/**
 * Who a request is from: the subject of its bearer token (read, not verified: the gateway verifies
 * it; as session.ts reads it, written again here since the worker imports nothing), so that a user signed in again — with a new token — finds what was kept for them; the
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

/** A hash of who a request is from; '' for a request without a token. */
async function userKeyOf(request: Request): Promise<string> {
  const authorization = request.headers.get('authorization');
  return authorization ? (await sha256Hex(userOf(authorization))).slice(0, 32) : '';
}

/** SHA-256 of `text`, in hex. */
async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The key an answer is kept under: its address, and for a user's own answers who they are (userKeyOf). */
function keyOf(address: string, user: string): string {
  if (!user) return address;
  const url = new URL(address);
  url.searchParams.set('__user', user);
  return url.href;
}

/**
 * Where the tokens that proved themselves for a user are noted: hashes of the tokens whose reads of
 * the user's own orders the network answered 200 — a route that answers only a token it verified
 * (a public read answers a bad token too, as anonymous). A kept answer is served only to a token
 * noted there — the worker cannot verify a token, and it finds a user's copies by the token's
 * subject, which anyone can write into a token of their own: pasted into the app as a sign-in (the
 * API refusing it ended it as a session that ran out), it had opened another buyer's tickets.
 */
const PROOFS_PATH = '/__stream-seat/proven-tokens';
/** The reads whose 200 proves their token: a user's own orders (PROOFS_PATH). */
const PROVING_READ = /^\/api\/orders(?:\/|$)/;
/** How many of a user's tokens are noted, the latest first (a sign-in a day, for a week). */
const MAX_PROOFS = 8;

/** A hash of the request's bearer token ('' without one). */
async function proofOf(request: Request): Promise<string> {
  const authorization = request.headers.get('authorization');
  return authorization ? sha256Hex(authorization) : '';
}

/** Where `user`'s proofs are kept. */
const proofsKey = (user: string) => keyOf(new URL(PROOFS_PATH, worker.location.origin).href, user);

/** The tokens noted for `user` (PROOFS_PATH). */
async function proofsOf(cache: Cache, user: string): Promise<string[]> {
  const noted = (await (await cache.match(proofsKey(user)))?.json().catch(() => undefined)) as unknown;
  return Array.isArray(noted) ? noted.filter((proof): proof is string => typeof proof === 'string') : [];
}

/** Notes `proof` for `user` (its request was answered 200 by the network); in the tickets turn. */
async function prove(user: string, proof: string): Promise<void> {
  const cache = await caches.open(TICKETS_CACHE);
  const proofs = await proofsOf(cache, user);
  if (proofs[0] === proof) return;
  const noted = [proof, ...proofs.filter((p) => p !== proof)].slice(0, MAX_PROOFS);
  await cache.put(proofsKey(user), new Response(JSON.stringify(noted), { headers: { 'content-type': 'application/json' } }));
}

/** Whether what was kept for `user` may be served to the token `proof` stands for (noted for them). */
async function proven(user: string, proof: string): Promise<boolean> {
  return (await proofsOf(await caches.open(TICKETS_CACHE), user)).includes(proof);
}

/** A user's kept answers (their keys; `user` from userKeyOf). */
async function keptFor(cache: Cache, user: string): Promise<readonly Request[]> {
  return (await cache.keys()).filter((request) => new URL(request.url).searchParams.get('__user') === user);
}

/** The end of the last write to the tickets cache begun. */
let ticketsTurn: Promise<unknown> = Promise.resolve();
/**
 * Moves on each time the app forgets every kept ticket (FORGET_MESSAGE, a sign-out): a keep or a
 * cancel's rewrite begun before it is dropped — one still on its way had put a signed-out user's
 * copies back after the page deleted them.
 */
let ticketsGeneration = 0;
worker.addEventListener('message', (event) => {
  if (event.data !== FORGET_MESSAGE) return;
  ticketsGeneration++;
  event.waitUntil(inTicketsTurn(() => caches.delete(TICKETS_CACHE)));
});
/**
 * Runs `write` on the tickets cache after the writes begun before it: a pruning reads what is kept
 * and then deletes, and a keep or a cancel's rewrite in between had been undone by it.
 */
function inTicketsTurn<T>(write: () => Promise<T>): Promise<T> {
  const turn = ticketsTurn.then(write, write);
  ticketsTurn = turn.catch(() => undefined);
  return turn;
}

/**
 * How a request begun now writes to the tickets cache: in the tickets turn, and not at all once
 * every ticket was forgotten since (FORGET_MESSAGE).
 */
function ticketsWriter(): (write: () => Promise<void>) => Promise<void> {
  const generation = ticketsGeneration;
  return (write) =>
    inTicketsTurn(async () => {
      if (generation === ticketsGeneration) await write();
    });
}

/** An event's kept answers: `/api/events/{id}` and its seat map. */
const EVENT_ANSWER = /^\/api\/events\/([^/]+)(?:\/seatmap)?$/;

/**
 * Forgets what a user's kept orders no longer name, once their first page of orders was kept: the
 * pages of orders the first page's chain of cursors no longer reaches (newer orders moved the
 * pages' bounds), and the events and seat maps of no order on the pages still kept — they had
 * grown with every event the buyer ever went to (a seat map may be megabytes), until a sign-out.
 */
async function forgetUnnamed(user: string): Promise<void> {
  const cache = await caches.open(TICKETS_CACHE);
  const mine = await keptFor(cache, user);
  /** The kept pages of orders, by their cursor ('' for the first page). */
  const pages = new Map<string, Request>();
  for (const request of mine) {
    const url = new URL(request.url);
    if (url.pathname === '/api/orders') pages.set(url.searchParams.get('cursor') ?? '', request);
  }
  const reached = new Set<Request>();
  const named = new Set<string>();
  for (let page = pages.get(''); page && !reached.has(page); ) {
    reached.add(page);
    const body = (await (await cache.match(page, { ignoreVary: true }))?.json().catch(() => undefined)) as { items?: Array<{ eventId?: unknown }>; nextCursor?: unknown } | undefined;
    for (const item of body?.items ?? []) if (typeof item.eventId === 'string') named.add(item.eventId);
    page = typeof body?.nextCursor === 'string' ? pages.get(body.nextCursor) : undefined;
  }
  if (reached.size === 0) return;
  for (const request of mine) {
    const { pathname } = new URL(request.url);
    const event = EVENT_ANSWER.exec(pathname);
    const unnamed = pathname === '/api/orders' ? !reached.has(request) : event ? !named.has(decodeURIComponent(event[1] ?? '')) : false;
    if (unnamed) await cache.delete(request);
  }
}

/**
 * The network's answer, a 200 kept in the background (then `afterKeep` with its text); what was
 * kept instead when the network fails, answers 502–504, or is slower than NETWORK_PATIENCE_MS —
 * at once while the network is taken as down (NETWORK_DOWN_MS after it last failed).
 */
async function networkFirst(
  event: FetchEvent,
  cacheName: string,
  key: string,
  {
    afterKeep,
    mayServeKept,
    write = (keep) => keep(),
  }: {
    afterKeep?: (text: string) => Promise<void>;
    mayServeKept?: () => Promise<boolean>;
    /** How the keeping is done (the tickets cache's: ticketsWriter). */
    write?: (keep: () => Promise<void>) => Promise<void>;
  } = {},
): Promise<Response> {
  const network = fetch(event.request);
  event.waitUntil(
    network.then(
      async (response) => {
        // Any answer but a gateway's 5xx: the network is back, and the next reads go to it first.
        if (response.status < 502 || response.status > 504) networkDownUntil = 0;
        if (response.status !== 200) return;
        const copy = await keepable(response.clone());
        await write(async () => {
          await (await caches.open(cacheName)).put(key, copy.clone());
          await afterKeep?.(await copy.text());
        });
      },
      () => undefined,
    ),
  );
  const kept = await (await caches.open(cacheName)).match(key, { ignoreVary: true });
  if (!kept || !((await mayServeKept?.()) ?? true)) return network;
  if (Date.now() < networkDownUntil) return kept;
  return new Promise<Response>((resolve) => {
    const fallBack = () => {
      networkDownUntil = Date.now() + NETWORK_DOWN_MS;
      resolve(kept);
    };
    const patience = setTimeout(fallBack, NETWORK_PATIENCE_MS);
    network
      .then(
        (response) => {
          if (response.status >= 502 && response.status <= 504) return fallBack();
          networkDownUntil = 0;
          resolve(response);
        },
        fallBack,
      )
      .finally(() => clearTimeout(patience));
  });
}

/**
 * What was kept under `key`, never the network: the request's token has run out or been refused,
 * and would only be. Nothing kept (or nothing this token may read: `mayServeKept`): a 504 problem,
 * as from a gateway out of reach.
 */
async function keptOnly(key: string, mayServeKept: () => Promise<boolean>): Promise<Response> {
  const kept = await (await caches.open(TICKETS_CACHE)).match(key, { ignoreVary: true });
  if (kept && (await mayServeKept())) return kept;
  const problem = { type: 'about:blank', title: 'Not kept', status: 504, detail: 'This browser kept nothing of this for you: sign in to see it.' };
  return new Response(JSON.stringify(problem), { status: 504, headers: { 'content-type': 'application/problem+json' } });
}

/** What was kept of a file whose name is its content's hash, else the network's answer (a 200 kept). */
async function keptFile(request: Request | string): Promise<Response> {
  const cache = await caches.open(SHELL_CACHE);
  // Whatever the request's headers: a module script's (with Origin, by `crossorigin`) had not
  // matched the copy kept on install under the answer's `Vary: Origin, Accept-Encoding`.
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 200) await cache.put(request, response.clone());
  return response;
}

/**
 * A cancellation, passed on; once done, and before the page hears of it, the user's kept orders
 * show the order as its answer has it (a kept list had shown a cancelled order confirmed offline,
 * its tickets' codes "still admitting").
 */
async function cancelling({ request }: FetchEvent, orderId: string): Promise<Response> {
  const user = await userKeyOf(request);
  const write = ticketsWriter();
  const response = await fetch(request);
  if (!response.ok || !user) return response;
  const order = (await response.clone().json()) as { orderId?: unknown };
  if (order.orderId !== orderId) return response;
  await write(async () => {
    const cache = await caches.open(TICKETS_CACHE);
    for (const request of await keptFor(cache, user)) {
      const url = new URL(request.url);
      if (!url.pathname.startsWith('/api/orders')) continue;
      const kept = await cache.match(request, { ignoreVary: true });
      if (!kept) continue;
      const body = (await kept.json()) as { orderId?: unknown; items?: Array<{ orderId?: unknown }> };
      const updated = url.pathname === '/api/orders' ? { ...body, items: (body.items ?? []).map((item) => (item.orderId === orderId ? order : item)) } : body.orderId === orderId ? order : body;
      await cache.put(request, new Response(JSON.stringify(updated), { status: kept.status, headers: kept.headers }));
    }
  });
  return response;
}

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  const cancel = CANCEL.exec(url.pathname);
  if (request.method === 'POST' && cancel) return event.respondWith(cancelling(event, decodeURIComponent(cancel[1] ?? '')));
  if (request.method !== 'GET') return;
  if (url.pathname === APP_PAGE || url.pathname === '/index.html') {
    // The app's page (its hash is not sent) under one key whatever its query: `/?utm_source=…`
    // opens offline, and a sign-in's return (`?code=…`) is not kept as a page of its own.
    event.respondWith(networkFirst(event, SHELL_CACHE, new URL(APP_PAGE, url).href, { afterKeep: keepFilesOf }));
  } else if (url.pathname === APP_CONFIG) {
    event.respondWith(networkFirst(event, SHELL_CACHE, url.href));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(keptFile(request));
  } else if (request.headers.has(KEEP_HEADER)) {
    event.respondWith(
      (async () => {
        const [user, proof] = await Promise.all([userKeyOf(request), proofOf(request)]);
        const key = keyOf(request.url, user);
        // A user's copies go only to a token the network accepted for them (PROOFS_PATH).
        const mayServeKept = async () => user === '' || (await proven(user, proof));
        if (request.headers.has(KEPT_ONLY_HEADER)) return keptOnly(key, mayServeKept);
        // The first page of a user's orders, kept: what no kept order names any more is forgotten.
        const firstOrdersPage = url.pathname === '/api/orders' && !url.searchParams.has('cursor');
        const afterKeep = async () => {
          if (user === '') return;
          if (PROVING_READ.test(url.pathname)) await prove(user, proof);
          if (firstOrdersPage) await forgetUnnamed(user);
        };
        return networkFirst(event, TICKETS_CACHE, key, { afterKeep, mayServeKept, write: ticketsWriter() });
      })(),
    );
  }
});

export {};
