/**
 * Proxies each declared route to an instance of its target app, round-robin over the UP instances
 * the registry knows whose circuit is not open. No instance → 503 at once, never a hang. A
 * connection that cannot be opened (refused, timed out) is tried on the next instance whatever
 * the method: not one byte of the request left the gateway. A failure once the request may have
 * been sent (a reset, a closed socket) is tried again only for idempotent methods, so a hold or an
 * order is never placed twice. Failures and 503 answers count against the instance's circuit
 * breaker, but for a 503 the instance marks as contention (rows other buyers hold). A stream
 * past its client address's cap of open streams is refused (429) before any upstream is asked.
 */
import type { Readable } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import {
  type App,
  formatTraceparent,
  type InstanceAddress,
  type LoadBalancer,
  NOT_SERVED_HEADER,
  RESOURCE_BUSY_HEADER,
  UNTYPED_BODY,
  UnsupportedMediaType,
} from '@stream-seat/platform';
import type { FastifyRequest } from 'fastify';
import { clientAddressKey } from '../edge/client-address.js';
import type { ClientStreamLimit } from '../edge/client-stream-limit.js';
import type { EventStreamFanout } from './event-stream-fanout.js';
import { endToEndHeaders, isRefusedByClient, mergedVary } from './forwarded-headers.js';
import { isRelayableEventStream, relayEventStream } from './event-stream-relay.js';
import { type InstanceBreakers, isOpenCircuitError } from './instance-breakers.js';
import type { OutstandingRequests } from './outstanding-requests.js';
import { type AnyServerReply, outcomeUnknown, refusalOf, refuse, RefusedRequest, splitTarget, streamsFull, tooManyStreams, unavailable, upstreamTimeout } from './proxy-answers.js';
import { fastifyPaths, type RouteDefinition, targetApp } from './route-table.js';
import { type UpstreamFailure, upstreamFailure } from './upstream-failure.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** True when the request may go to another instance after this failure. */
function isRetryable(method: string, failure: UpstreamFailure): boolean {
  return failure.reach === 'not-sent' || (IDEMPOTENT.has(method) && failure.reach === 'maybe-sent');
}

export interface ProxyOptions {
  routes: RouteDefinition[];
  balancer: LoadBalancer;
  breakers: InstanceBreakers;
  /** Requests each instance has not answered yet: the fewest go first. */
  outstanding: OutstandingRequests;
  upstreamTimeoutMs: number;
  connectTimeoutMs: number;
  /** The body limit of `layoutBodies` routes. */
  layoutBodyLimit: number;
  /** Concurrent streams (SSE) the gateway relays to one upstream instance. */
  maxStreamsPerUpstream: number;
  /** Shared upstream streams for `shared` routes; every stream is relayed on its own without it. */
  fanout?: EventStreamFanout | undefined;
  /** The cap on streams one client address holds open at once, for `streaming` routes in either mode. */
  streamLimit: ClientStreamLimit;
  /** Per-route options merged into the fastify route (e.g. a rate limit for holds). */
  routeConfig?: (route: RouteDefinition) => Record<string, unknown> | undefined;
}

/** An upstream answer that says the instance itself is unwell (counts against its circuit). */
class UpstreamFailed extends Error {}

/**
 * The client closed its connection before the answer. `aborted` alone misses a client that had
 * sent its whole body (a POST): Node sets it only for an unfinished request. The response's
 * stream is destroyed with the connection in both cases.
 */
function clientLeft(request: FastifyRequest, reply: AnyServerReply): boolean {
  return request.raw.aborted || reply.raw.destroyed;
}

/**
 * The X-Forwarded-For the upstream gets: the chain the trusted proxies sent (nearest last), then
 * the address this connection came from. It had ended with the client's address again, in place
 * of the load balancer's hop (`1.1.1.1, 1.1.1.1`). Without TRUST_PROXY: the peer's address.
 */
function forwardedFor(request: FastifyRequest): string {
  const [peer, ...chain] = request.ips ?? [];
  if (peer === undefined) return request.ip;
  return [...chain.reverse(), peer].join(', ');
}

function forward(
  options: ProxyOptions,
  route: RouteDefinition,
  candidates: InstanceAddress[],
  request: FastifyRequest,
  reply: AnyServerReply,
): void {
  const [instance, ...rest] = candidates;
  const app = targetApp(route);
  if (clientLeft(request, reply)) return; // gone before this try (an open circuit's failover): nobody to answer
  if (!instance) {
    void unavailable(reply, request, app, `No healthy instance of ${app} is available`);
    return;
  }
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      try {
        send(resolve, reject);
      } catch {
        // reply-from throws at once for URLs it will not forward; answer, and do not blame the instance.
        // (A target refusalOf refuses never gets here: the route's handler answered it.)
        reject(new RefusedRequest('The path cannot be forwarded'));
      }
    });
  let resourceBusy = false;
  /** The instance turned the request away before serving it (starting, shutting down): the next may take it. */
  let notServed = false;
  // The path and the query apart: reply-from looks for `..` in what it is given as the URL, decoded,
  // and a search for "AC/..DC" is no path traversal (the path was checked: refusalOf).
  const { path, query } = splitTarget(request.url);
  const send = (resolve: () => void, reject: (error: unknown) => void) =>
      reply.from(instance.url + path, {
        queryString: () => query,
        // Failover is ours (the next instance); reply-from's own retries would ask the same instance
        // again — a GET answered 503 up to ten times, reading Retry-After's seconds as milliseconds.
        retryDelay: () => null,
        // The body is the client's bytes, passed on as they came (reply-from would re-encode JSON).
        // Without a Content-Type it is empty (see the handler): reply-from needs one all the same.
        ...(Buffer.isBuffer(request.body)
          ? { body: request.body, contentType: request.headers['content-type'] ?? 'application/octet-stream' }
          : {}),
        rewriteRequestHeaders: (_req, headers) => ({
          ...endToEndHeaders(headers),
          'x-request-id': request.id,
          traceparent: formatTraceparent(request.trace),
          'x-forwarded-for': forwardedFor(request),
          'x-forwarded-host': request.headers.host ?? '',
          'x-forwarded-proto': request.protocol,
        }),
        // Called for every upstream answer, before reply-from looks at the client: one that has
        // left gets no onResponse, so its attempt settles here — the instance did answer (its
        // status is not known here). Without this it stayed pending for good.
        rewriteHeaders: (headers) => {
          // reply-from's own test for a client that left, so that exactly one of the two settles.
          if (request.raw.aborted) resolve();
          // The instance's word that its 503 is about the data (rows locked by other buyers), not
          // about itself; it is between the instance and the gateway, and goes no further. Nor do
          // its hop-by-hop headers (RFC 9110 §7.6.1): they describe its connection to the gateway.
          const { [RESOURCE_BUSY_HEADER]: busy, [NOT_SERVED_HEADER]: unserved, ...toClient } = endToEndHeaders(headers) as Record<string, string | string[] | undefined>;
          resourceBusy = busy === '1';
          // Turned away unserved, with another instance to try: none of this answer reaches the client.
          notServed = unserved === '1' && rest.length > 0;
          if (notServed) return {};
          // Without a Vary of the service's, the gateway's own stays on the reply as it is.
          if (toClient['vary'] === undefined) return toClient;
          return { ...toClient, vary: mergedVary(reply.getHeader('vary'), toClient['vary']) };
        },
        onResponse: (_request, upstreamReply, res) => {
          // reply-from hands over the upstream response: status, headers, and the body stream.
          const upstream = res as unknown as { statusCode: number; stream: Readable };
          if (notServed) {
            upstream.stream.resume();
            reject(new UpstreamFailed(`${app} turned the request away unserved (${upstream.statusCode})`));
            request.log.info({ instance: instance.instanceId }, 'upstream turned the request away unserved; trying the next instance');
            forward(options, route, rest, request, upstreamReply);
            return;
          }
          if (route.streaming && isRelayableEventStream(upstreamReply, request.method)) relayEventStream(upstreamReply, upstream.stream);
          else upstreamReply.send(upstream.stream);
          // Only the instance saying it is unavailable (503) counts against it: a 500 or a 504 (a
          // slow payment, say) is about one request, and a 502 says another service it needed
          // failed (booking without the catalogue) — taking the instance out of rotation would
          // fail its other requests too, and let one caller open the circuit for everyone.
          if (upstream.statusCode === 503 && !resourceBusy) reject(new UpstreamFailed(`${app} answered ${upstream.statusCode}`));
          else resolve();
        },
        onError: (replyOnError, { error }) => {
          const failure = upstreamFailure(error);
          const { code } = failure;
          if (isRefusedByClient(code)) {
            request.log.info({ code, err: error }, 'request refused before it was sent upstream');
            reject(new RefusedRequest(`The request cannot be forwarded: ${(error as Error).message}`));
            return;
          }
          // Counted whether or not the client is still there: a hung instance times out either way.
          reject(error);
          if (clientLeft(request, replyOnError)) return; // nobody to answer, nothing to fail over for
          if (rest.length > 0 && isRetryable(request.method, failure)) {
            request.log.warn({ instance: instance.instanceId, code }, 'upstream unreachable; trying the next instance');
            forward(options, route, rest, request, replyOnError);
            return;
          }
          request.log.warn({ instance: instance.instanceId, code }, 'upstream failed');
          if (code === 'UND_ERR_HEADERS_TIMEOUT') void upstreamTimeout(replyOnError, request, app, !IDEMPOTENT.has(request.method));
          // A POST the instance may have acted on (a payment) has an unknown outcome: "could not be
          // reached", with a Retry-After, had read as "nothing happened, try again" (a probe killed
          // booking mid-payment).
          else if (!IDEMPOTENT.has(request.method) && failure.reach === 'maybe-sent') void outcomeUnknown(replyOnError, request, app);
          else void unavailable(replyOnError, request, app, `${app} could not be reached`);
        },
      });

  options.breakers.run(app, instance.instanceId, () => options.outstanding.track(instance.instanceId, attempt)).catch((error: unknown) => {
    // Failures were answered in onResponse/onError; a circuit that opened between choosing this
    // instance and calling it, or a request the proxy refused, still needs an answer.
    if (isOpenCircuitError(error)) forward(options, route, rest, request, reply);
    else if (error instanceof RefusedRequest && !reply.sent) void refuse(reply, request, error);
  });
}

export async function registerProxyRoutes(app: App, options: ProxyOptions): Promise<void> {
  const lastRetain = new Map<string, number>();
  for (const streaming of [false, true]) {
    // Streams get their own undici pool without a body timeout; everything else is bounded.
    await app.register(async (scope) => {
      // Bodies pass through untouched (and can be sent again to the next instance).
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      await scope.register(replyFrom, {
        // Its "fetching from remote server" line logs the upstream URL whole (a ticket code in a
        // check-in path); the gateway logs each request itself, redacted.
        disableRequestLogging: true,
        undici: {
          // A live stream holds its upstream connection for its whole life: the pool for streams
          // must be as large as the audience, or clients past the limit would queue forever.
          connections: streaming ? options.maxStreamsPerUpstream : 128,
          pipelining: 1,
          keepAliveTimeout: 30_000,
          connectTimeout: options.connectTimeoutMs,
          headersTimeout: options.upstreamTimeoutMs,
          bodyTimeout: streaming ? 0 : options.upstreamTimeoutMs,
        },
      });
      for (const route of options.routes.filter((r) => Boolean(r.streaming) === streaming)) {
        const appName = targetApp(route);
        for (const url of fastifyPaths(route.path)) {
          scope.route({
            // Every standard method: the service that owns the path answers a wrong one (405, with
            // its path's Allow); the gateway's own list would name methods the path does not have.
            method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'],
            url,
            schema: { hide: true },
            ...(route.layoutBodies ? { bodyLimit: options.layoutBodyLimit } : {}),
            ...(options.routeConfig?.(route) ? { config: options.routeConfig(route) } : {}),
            handler: (request, reply) => {
              const refusal = refusalOf(request.url);
              if (refusal) return refuse(reply, request, refusal);
              // No service reads a body of no type; passed on, it had to be given one (octet-stream),
              // and the service's 415 named a type the client never sent.
              if (Buffer.isBuffer(request.body) && request.body.length > 0 && request.headers['content-type'] === undefined) {
                throw new UnsupportedMediaType(UNTYPED_BODY);
              }
              // Before any upstream is asked: a refused stream costs the gateway one short answer.
              const refused = streaming ? options.streamLimit.tryOpen(clientAddressKey(request.ip), request.raw.socket, reply.raw) : undefined;
              if (refused === 'client') return tooManyStreams(reply, request, options.streamLimit.perClient);
              if (refused === 'gateway') return streamsFull(reply, request, options.streamLimit.perGateway);
              const registered = options.balancer.candidates(appName);
              if (registered.length === 0) {
                return unavailable(reply, request, appName, `No instance of ${appName} is available`);
              }
              // Forgetting departed instances' breakers is housekeeping: once a second per app, not per request.
              if (Date.now() - (lastRetain.get(appName) ?? 0) > 1_000) {
                lastRetain.set(appName, Date.now());
                options.breakers.retain(appName, new Set(registered.map((i) => i.instanceId)));
              }
              const healthy = registered.filter((i) => !options.breakers.isOpen(i.instanceId));
              if (healthy.length === 0) {
                return unavailable(reply, request, appName, `Every instance of ${appName} is failing; retry shortly`);
              }
              // Fewest unanswered requests first: a frozen instance stops getting new ones at once.
              const ordered = options.outstanding.order(healthy);
              const fanout = route.shared ? options.fanout : undefined;
              if (!fanout) {
                forward(options, route, ordered, request, reply);
                return reply;
              }
              void fanout.serve(request, reply, appName).then(
                (served) => served || forward(options, route, ordered, request, reply),
                () => forward(options, route, ordered, request, reply),
              );
              return reply;
            },
          });
        }
      }
    });
  }
}
