/** Calls to the gateway's `/api`, with the signed-in user's token; problems become ApiProblem. */
import { eventVersionTag } from '@stream-seat/contracts/event-version';
import { ApiProblem, NO_ANSWER } from './api-problem.js';
import { KEEP_HEADER, KEPT_ONLY_HEADER, OFFLINE_HEADER } from './offline-copy.js';
import { noteServerDate } from './server-clock.js';
import { currentSession, endRefusedSession, type Session } from './session.js';

export { ApiProblem };

export interface RequestOptions {
  body?: unknown;
  /** Sent as `Idempotency-Key`: a retried click or a lost answer never pays twice. */
  idempotencyKey?: string;
  /** Sent as `If-Match`: the change is made only to that version (an event's: eventVersion), else a 412. */
  ifMatch?: string;
  /** The service worker keeps the answer for reading offline (offline-copy.ts). */
  keepOffline?: boolean;
  /**
   * What the service worker kept for this session — one that ended without a sign-out — and never
   * the network (with keepOffline; offline-copy.ts's KEPT_ONLY_HEADER).
   */
  keptFor?: Session;
  /** The session whose token is sent (else the one signed in now): a background chore's, which must not go on with another's. */
  session?: Session;
}

/**
 * How long a call waits for its whole answer. Longer than the gateway's own bound on a request
 * (UPSTREAM_TIMEOUT_MS, 30 s), so that the gateway's 504 problem comes first whenever it can.
 */
export const ANSWER_TIMEOUT_MS = 35_000;

/**
 * What a call that got no answer throws: the network failed, or nothing came back in time. The
 * request may have been carried out; one with an Idempotency-Key may be sent again with the same key.
 */
function noAnswer(): ApiProblem {
  return new ApiProblem(0, 'No answer', NO_ANSWER, {});
}

/** The whole answer (status, headers, body), within ANSWER_TIMEOUT_MS; else noAnswer(). */
async function send(path: string, init: RequestInit): Promise<{ response: Response; text: string }> {
  const controller = new AbortController();
  // A timer, not AbortSignal.timeout: it also bounds reading the body, and tests can move it on.
  const timer = setTimeout(() => controller.abort(), ANSWER_TIMEOUT_MS);
  try {
    const response = await fetch(`/api${path}`, { ...init, signal: controller.signal });
    return { response, text: await response.text() };
  } catch {
    throw noAnswer();
  } finally {
    clearTimeout(timer);
  }
}

/** Stands for a body that is not JSON (a proxy's HTML error page, say). */
const unreadable = Symbol('unreadable');

function parsed(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return unreadable;
  }
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return (await answered<T>(method, path, options)).body;
}

/**
 * The answer's body, and whether the service replayed it for the Idempotency-Key
 * (`idempotent-replayed`): made by an earlier request under the key, not by this one; `keptAt`:
 * the answer is the copy the service worker kept then, the network being out of reach.
 */
export async function answered<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ body: T; replayed: boolean; keptAt?: string }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const session = options.keptFor ?? options.session ?? currentSession();
  if (session) headers['authorization'] = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  if (options.keepOffline) headers[KEEP_HEADER] = 'offline';
  if (options.keptFor) headers[KEPT_ONLY_HEADER] = 'only';
  const { response, text } = await send(path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  noteServerDate(response);
  const body = parsed(text);
  if (response.ok && body === unreadable) throw new ApiProblem(response.status, 'Unexpected answer', 'The server answered with something other than JSON. Try again.', {});
  if (!response.ok) {
    // An expired or revoked token: the user signs in again rather than failing call after call —
    // unless they already have (an older request's 401 must not end a newer session). Not a
    // sign-out: what was kept for the session stays readable (its tickets had been forgotten).
    if (response.status === 401 && session && !options.keptFor && currentSession()?.token === session.token) endRefusedSession(session);
    const problem = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    // Not a problem of ours (a proxy's or load balancer's HTML page): said plainly, not as "Bad Gateway".
    const plain =
      response.status >= 500
        ? `The service is not available right now (${response.status}). Try again in a moment.`
        : `The request failed (${response.status} ${response.statusText}).`;
    throw new ApiProblem(
      response.status,
      typeof problem['title'] === 'string' ? problem['title'] : response.statusText,
      typeof problem['detail'] === 'string' ? problem['detail'] : typeof problem['title'] === 'string' ? undefined : plain,
      problem,
    );
  }
  const keptAt = response.headers.get(OFFLINE_HEADER);
  return { body: body as T, replayed: response.headers.get('idempotent-replayed') === 'true', ...(keptAt ? { keptAt } : {}) };
}

/** An event's version as the catalogue tags it (its ETag), for `ifMatch`. */
export const eventVersion = (event: { updatedAt: string }): string => eventVersionTag(event.updatedAt);

/** The commands (by path) posted and not answered yet. */
const commandsUnderWay = new Set<string>();

/**
 * A button's command (cancel an order, publish an event): asked first when `question` is given,
 * posted with an Idempotency-Key of its own (and `ifMatch`), then `after` (a reload); a failure is
 * shown in `problem`, unless `handled` took care of it.
 */
export async function postCommand(
  path: string,
  options: {
    question?: string;
    problem: HTMLElement;
    after: (answer: unknown) => Promise<void> | void;
    button?: EventTarget | null;
    ifMatch?: string;
    handled?: (error: unknown) => boolean;
  },
): Promise<void> {
  // A second click while the first is on its way asks nothing and sends nothing (a double click on
  // "Cancel event" had asked twice and sent two cancellations).
  if (commandsUnderWay.has(path)) return;
  if (options.question && !confirm(options.question)) return;
  commandsUnderWay.add(path);
  // The button that sent it shows that it is under way (a second click had seemed to do nothing).
  const button = options.button instanceof HTMLButtonElement ? options.button : undefined;
  if (button) button.disabled = true;
  try {
    await options.after(await api('POST', path, { idempotencyKey: crypto.randomUUID(), ...(options.ifMatch ? { ifMatch: options.ifMatch } : {}) }));
  } catch (error) {
    if (!options.handled?.(error)) options.problem.textContent = (error as Error).message;
  } finally {
    commandsUnderWay.delete(path);
    if (button) button.disabled = false;
    // Disabled while under way, the button had let the focus fall to the page: it gets it back
    // when it is still there (a refusal; a success draws the list again, focusing the card).
    if (button?.isConnected && (document.activeElement === null || document.activeElement === document.body)) button.focus();
  }
}
