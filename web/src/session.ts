/**
 * Who is using the app. Locally (`npm start`, AUTH_MODE=dev) the gateway issues tokens for any
 * name and role; in production the identity provider does, after the user signs in on its page
 * (oidc-sign-in.ts) — or, with no provider configured for the app, the user pastes a token.
 */
import { NO_ANSWER } from './api-problem.js';
import { forgetOfflineCopies } from './offline-copy.js';
import { noteServerDate, sessionNow } from './server-clock.js';

/** An admin may do what an organiser does (the organiser's page) and what a buyer does (hold, pay). */
export type Role = 'buyer' | 'organizer' | 'admin';

/** Whether the organiser's page is the user's: an organiser's or an admin's. */
export const organizes = (session: Session | undefined): boolean => session?.role === 'organizer' || session?.role === 'admin';

/** Whether the user may hold and buy seats: signed in as a buyer, or an admin — not an organiser. */
export const buys = (session: Session | undefined): boolean => session !== undefined && session.role !== 'organizer';

export interface Session {
  sub: string;
  role: Role;
  token: string;
  /** The provider's ID token, when signed in there: the hint for signing out there too. */
  idToken?: string;
}

const KEY = 'stream-seat.session';
/**
 * A session that ended without a sign-out — its token ran out, or the API refused it (401) — kept
 * without its use, for LAPSED_OFFER_MS: its orders page still opens from what the service worker
 * kept for it (tickets at the door, where a short-lived token has often run out by the evening). A
 * sign-in, or a sign-out (offered beside it), forgets it.
 */
const LAPSED_KEY = 'stream-seat.lapsed';
/**
 * How long after it ended a session's kept tickets are offered: the evening's show, from the
 * moment the app found the session over (when it was opened at the door, say) — not for good, on
 * a shared device someone left without signing out.
 */
const LAPSED_OFFER_MS = 24 * 60 * 60 * 1000;
/** LAPSED_KEY's record: the ended session, and when the app found it over (this device's clock). */
interface Lapsed {
  session: Session;
  endedAt: number;
}
const listeners = new Set<(session: Session | undefined) => void>();

/** A JWT's claims, unverified (the gateway verifies); undefined when the token is not a JWT. */
function claimsOf(token: string): { sub?: unknown; role?: unknown; exp?: unknown } | undefined {
  try {
    return JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown; role?: unknown; exp?: unknown };
  } catch {
    return undefined;
  }
}

/** The token's expiry (`exp`), in ms; undefined when it has none or is not a JWT. */
function tokenExpiry(token: string): number | undefined {
  const exp = claimsOf(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/** What is stored under `key`, parsed; undefined when nothing (or nothing readable) is. */
function readStored<T>(key: string): T | undefined {
  try {
    const stored = localStorage.getItem(key);
    return stored ? (JSON.parse(stored) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signed-in user; a session whose token has expired (by the server's clock: a browser's set
 * hours ahead would end every session as it began) is over (the app shows "Sign in").
 */
export function currentSession(): Session | undefined {
  try {
    const session = readStored<Session>(KEY);
    if (session && (tokenExpiry(session.token) ?? Infinity) <= sessionNow()) {
      // Over for the whole page: the top bar offers "Sign in" again, not a stale "Sign out". Told
      // after the caller's turn: it may be a page being drawn, which the listeners draw again.
      lapse(session);
      queueMicrotask(() => {
        for (const listener of listeners) listener(undefined);
      });
      return undefined;
    }
    return session;
  } catch {
    return undefined;
  }
}

/**
 * The session that ended without a sign-out (LAPSED_KEY) within LAPSED_OFFER_MS, if any: for
 * reading what was kept for it, never for calling the API.
 */
export function lapsedSession(): Session | undefined {
  const lapsed = readStored<Lapsed>(LAPSED_KEY);
  if (!lapsed?.session || !(Date.now() - lapsed.endedAt < LAPSED_OFFER_MS)) {
    if (lapsed) localStorage.removeItem(LAPSED_KEY);
    return undefined;
  }
  return lapsed.session;
}

/** Ends `session` without forgetting what was kept for it (LAPSED_KEY). */
function lapse(session: Session): void {
  const lapsed: Lapsed = { session, endedAt: Date.now() };
  localStorage.setItem(LAPSED_KEY, JSON.stringify(lapsed));
  localStorage.removeItem(KEY);
  shownIdentity = storedIdentity();
}

/**
 * The API refused the session's token (401: revoked, or run out by the server's clock): it is over
 * here, as if it had expired — what was kept for it stays readable (LAPSED_KEY) until a sign-in or
 * a sign-out.
 */
export function endRefusedSession(session: Session): void {
  lapse(session);
  for (const listener of listeners) listener(undefined);
}

function setSession(session: Session | undefined): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  // Whoever signs in next (or nobody, signed out): the ended session's kept tickets are no longer offered.
  localStorage.removeItem(LAPSED_KEY);
  shownIdentity = storedIdentity();
  for (const listener of listeners) listener(session);
}

/**
 * Who the stored session names, whether or not its token is still good — or whose ended session's
 * tickets are offered (`lapsed`); '' for nobody.
 */
function storedIdentity(): string {
  const session = readStored<Session>(KEY);
  if (session) return `${session.role}\n${session.sub}`;
  const lapsed = readStored<Lapsed>(LAPSED_KEY);
  return lapsed?.session ? `lapsed\n${lapsed.session.sub}` : '';
}
/** Who this page shows as signed in, as last told. */
let shownIdentity = storedIdentity();

export function onSessionChange(listener: (session: Session | undefined) => void): void {
  listeners.add(listener);
}

// Another tab signed out, or in as someone else: this one follows (it went on showing the old
// name, and paid or listed orders as whoever signed in last).
// Only a change of who is signed in counts: the same user signing in again elsewhere (a new
// token) redraws nothing here, which would drop this page's selection and requests under way.
// (Read from storage as written, without judging expiry: the server's clock is not known yet.)
// An ended session's sign-out elsewhere counts too: this tab had gone on showing its tickets.
window.addEventListener('storage', (event) => {
  if (event.storageArea !== localStorage || (event.key !== KEY && event.key !== LAPSED_KEY && event.key !== null)) return;
  const identity = storedIdentity();
  if (identity === shownIdentity) return;
  shownIdentity = identity;
  const session = currentSession();
  for (const listener of listeners) listener(session);
});

/** Asks the gateway's dev-token route; false when the gateway does not offer one (production). */
export async function signInLocally(sub: string, role: Role): Promise<boolean> {
  if (sub === '') throw new Error('Type a name to sign in as.');
  let response: Response;
  try {
    response = await fetch('/api/auth/dev-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub, role }),
    });
  } catch {
    // The browser's own words had been shown ("Failed to fetch").
    throw new Error(NO_ANSWER);
  }
  if (response.status === 404) return false;
  if (!response.ok) {
    // The service's reason (a name it refuses), not only the status it had been.
    const problem = (await response.json().catch(() => ({}))) as { detail?: unknown };
    const detail = typeof problem.detail === 'string' ? problem.detail.replace(/^sub: /, 'Your name: ') : undefined;
    throw new Error(detail ?? `Sign-in failed (${response.status}). Try again in a moment.`);
  }
  noteServerDate(response);
  const { token } = (await response.json()) as { token: string };
  setSession({ sub, role, token });
  return true;
}

/**
 * A token from the identity provider; its subject and role are read from its claims (for display
 * only: the gateway verifies the token on every call).
 */
export function signInWithToken(token: string, idToken?: string): void {
  const claims = claimsOf(token);
  if (!claims) throw new Error('That is not a JWT access token');
  const role: Role = claims.role === 'organizer' || claims.role === 'admin' ? claims.role : 'buyer';
  setSession({ sub: typeof claims.sub === 'string' ? claims.sub : 'unknown', role, token, ...(idToken ? { idToken } : {}) });
}

/** Ends the session; resolves once the tickets kept for reading offline are forgotten with it (the next user of the device sees none). */
export function signOut(): Promise<void> {
  setSession(undefined);
  return forgetOfflineCopies();
}
