/**
 * The gateway's own answers on the proxy's routes, before or instead of an upstream's: a target it
 * will not forward (400 naming the part at fault), a stream past its client's cap (429), no
 * instance to ask (503), an instance that did not answer in time (504).
 */
import { OUTCOME_UNKNOWN_TYPE, PROBLEM_TYPE_BASE, sendProblem } from '@stream-seat/platform';
import type { FastifyReply, FastifyRequest, RawServerBase, RouteGenericInterface } from 'fastify';

/** reply-from's callbacks type the reply for any server (HTTP/1 or HTTP/2). */
export type AnyServerReply = FastifyReply<RouteGenericInterface, RawServerBase>;

/**
 * A request the proxy refuses before it reaches any upstream (e.g. a `..` path): the caller's
 * fault, answered 400 with this message by the breaker's catch, never counted against the instance.
 */
export class RefusedRequest extends Error {
  override name = 'RefusedRequest';
  constructor(
    /** What is wrong with that part (the whole message when no part is named). */
    readonly problem: string,
    /** The part of the request at fault (`path`, `querystring`), when known. */
    readonly field?: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
  }
}

/**
 * Why this target is not forwarded, or undefined when it may be. The path must be plain (see
 * isForwardablePath; one that does not decode never got past the router); a query that does not
 * decode never got past the platform's own check (`createService`). The query is free text (`?q=AC/..DC`):
 * it is handed to reply-from apart from the path, whose `..` check it had failed (an unnamed 400).
 */
export function refusalOf(url: string): RefusedRequest | undefined {
  const { path, query } = splitTarget(url);
  if (!isForwardablePath(path)) return new RefusedRequest('must be a plain path from `/`: no `..` beside a `/`, no `#`, no `\\`, no encoded `.`, `/` or `\\`', 'path');
  // A fragment is the client's own (never sent): one in the query had been passed on as query text.
  if (query.includes('#')) return new RefusedRequest('must not contain `#`: a fragment is never sent', 'querystring');
  return undefined;
}

/** A request target's path, and its query without the `?` ('' for none); a second `?` is the query's. */
export function splitTarget(url: string): { path: string; query: string } {
  const queryStart = url.indexOf('?');
  return queryStart < 0 ? { path: url, query: '' } : { path: url.slice(0, queryStart), query: url.slice(queryStart + 1) };
}

export function unavailable(reply: AnyServerReply, request: FastifyRequest, app: string, detail: string) {
  return sendProblem(reply, {
    type: `${PROBLEM_TYPE_BASE}service-unavailable`,
    title: 'Service unavailable',
    status: 503,
    detail,
    instance: request.url,
    service: app,
  });
}

/**
 * True when the upstream will see the path the gateway matched: no backslash, no encoded dot,
 * slash or backslash, no dot segment — all of which a URL parser resolves, so that
 * `/api/holds/x\..\..\..\internal/…` would reach a route the gateway does not expose — and no
 * `..` beside a slash at all (`/..;/`: no dot segment to a URL parser, one to some servers'; and
 * reply-from refuses it, which had been an unnamed 400).
 */
function isForwardablePath(path: string): boolean {
  if (/\\|%2e|%2f|%5c|\/\.\.|\.\.\//i.test(path)) return false;
  return new URL(path, 'http://gateway.invalid').pathname === path;
}

/**
 * Seconds a client refused a stream for holding too many is asked to wait: a slot frees only when
 * one of its own streams closes, which no timer predicts; long enough that a retrying script does
 * not hammer, short for a person who has just closed a tab.
 */
const TOO_MANY_STREAMS_RETRY_AFTER_SECONDS = 10;
/** Soon: another gateway (or a stream closed here) may take it. */
const STREAMS_FULL_RETRY_AFTER_SECONDS = 5;

export function tooManyStreams(reply: AnyServerReply, request: FastifyRequest, limit: number) {
  reply.header('retry-after', String(TOO_MANY_STREAMS_RETRY_AFTER_SECONDS));
  return sendProblem(reply, {
    type: `${PROBLEM_TYPE_BASE}too-many-streams`,
    title: 'Too many open streams',
    status: 429,
    detail: `At most ${limit} live streams may be open at once from one client address; close one (another tab or window) and retry`,
    instance: request.url,
    limit,
  });
}

/** This gateway holds its most streams (MAX_CLIENT_STREAMS): a 503 the browser retries (a retry may land on another task). */
export function streamsFull(reply: AnyServerReply, request: FastifyRequest, limit: number) {
  reply.header('retry-after', String(STREAMS_FULL_RETRY_AFTER_SECONDS));
  return sendProblem(reply, {
    type: `${PROBLEM_TYPE_BASE}streams-full`,
    title: 'No room for another stream here',
    status: 503,
    detail: `This gateway holds the most live streams it takes (${limit}); retry — another may take it`,
    instance: request.url,
    limit,
  });
}

export function refuse(reply: AnyServerReply, request: FastifyRequest, refusal: RefusedRequest) {
  return sendProblem(reply, {
    type: `${PROBLEM_TYPE_BASE}bad-request`,
    title: 'Bad request',
    status: 400,
    detail: refusal.message,
    instance: request.url,
    ...(refusal.field ? { errors: [{ field: refusal.field, message: refusal.problem }] } : {}),
  });
}

/** The connection to the instance broke after a request that is not idempotent was sent. */
export function outcomeUnknown(reply: AnyServerReply, request: FastifyRequest, app: string) {
  return sendProblem(reply, {
    type: OUTCOME_UNKNOWN_TYPE,
    title: 'Outcome unknown',
    status: 502,
    detail: `The connection to ${app} broke after the request was sent: it may have been carried out. Look up its outcome before repeating it (a hold or an order repeated with the same Idempotency-Key gives its outcome)`,
    instance: request.url,
    service: app,
  });
}

/**
 * The instance did not answer in time. A request that is not idempotent may still be carried out
 * (the instance was slow, or frozen, not gone): said as for a broken connection — it had read as
 * if nothing happened (a probe froze booking: 2 of 4 timed-out holds were made after all).
 */
export function upstreamTimeout(reply: AnyServerReply, request: FastifyRequest, app: string, maybeCarriedOut: boolean) {
  return sendProblem(reply, {
    type: `${PROBLEM_TYPE_BASE}upstream-timeout`,
    title: 'Gateway timeout',
    status: 504,
    detail: maybeCarriedOut
      ? `${app} did not answer in time: the request may still be carried out. Look up its outcome before repeating it (a hold or an order repeated with the same Idempotency-Key gives its outcome)`
      : `${app} did not answer in time`,
    instance: request.url,
    ...(maybeCarriedOut ? { outcomeUnknown: true } : {}),
  });
}
