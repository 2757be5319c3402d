/** Composition root of the gateway: the edge (auth, limits, CORS), the route table, info routes. */
import { LAYOUT_BODY_LIMIT_BYTES } from '@stream-seat/contracts';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import {
  type App,
  createLoadBalancer,
  createService,
  isRootCatchAll,
  OPERATIONS_PATHS,
  pathMatcher,
  type RegistryClient,
  ROUTER_OPTIONS,
  sendNotFound,
  type TokenVerifier,
} from '@stream-seat/platform';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { createClientStreamLimit, DEFAULT_MAX_CLIENT_STREAMS, DEFAULT_STREAMS_PER_CLIENT } from './edge/client-stream-limit.js';
import { registerEdgeAuth } from './edge/edge-auth.js';
import { operatorNetwork } from './edge/operator-network.js';
import { rateLimitKey, registerRateLimit } from './edge/rate-limit.js';
import { createEventStreamFanout, type FanoutSettings } from './proxy/event-stream-fanout.js';
import { type BreakerSettings, createInstanceBreakers } from './proxy/instance-breakers.js';
import { createOutstandingRequests } from './proxy/outstanding-requests.js';
import { registerProxyRoutes } from './proxy/proxy.routes.js';
import { type RouteDefinition, routeTable } from './proxy/route-table.js';
import { type ApiDocs, createApiDocs } from './routes/api-docs.js';
import { registerDevTokenRoute } from './routes/dev-token.routes.js';
import { GATEWAY_ROUTES_PATH, registerGatewayInfoRoutes } from './routes/gateway-info.routes.js';
import { registerWebApp } from './routes/web-app.routes.js';
import type { WebSignIn } from './routes/web-sign-in.js';
import { STREAM_UPSTREAM_IDLE_DEFAULT_MS } from './config.js';

/** The routes that serve the merged OpenAPI document (the UI at /docs loads /docs/json). */
const DOCUMENT_ROUTES = new Set(['/docs/json', '/docs/yaml']);
/** Answered only inside the operator's network when TRUST_PROXY names it (edge/operator-network.ts). */
const OPERATIONS_ROUTES = new Set([...OPERATIONS_PATHS, GATEWAY_ROUTES_PATH]);

export interface GatewayAppDeps {
  registry: Pick<RegistryClient, 'instances'>;
  verifier: TokenVerifier;
  routes?: RouteDefinition[];
  /** Set in AUTH_MODE=dev: enables `POST /api/auth/dev-token`. */
  devTokenSecret?: string | undefined;
  upstreamTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Largest venue layout passed on (LAYOUT_BODY_LIMIT_BYTES by default); other bodies: 1 MiB. */
  bodyLimit?: number;
  /** Concurrent SSE streams relayed to one upstream instance. */
  maxStreamsPerUpstream?: number;
  /** Concurrent SSE streams one client address may hold open at this gateway (shared or relayed). */
  streamsPerClient?: number;
  /** Concurrent SSE streams this gateway holds open in all (MAX_CLIENT_STREAMS). */
  maxClientStreams?: number;
  /** Shared upstream streams for `shared` routes (the live seat map); false: relay each client. */
  streamFanout?: Partial<Pick<FanoutSettings, 'ringSize' | 'maxBufferedBytes' | 'heartbeatMs' | 'upstreamIdleMs' | 'reconnectDelaysMs'>> | false;
  corsOrigins?: string[];
  /** fastify's trustProxy: which proxies' X-Forwarded-For to believe. */
  trustProxy?: boolean | string;
  rateLimit?: { max: number; windowMs: number; holdsMax: number; redis?: Redis | undefined };
  breakers?: Partial<BreakerSettings>;
  /** The built web app to serve at `/`; none when undefined. */
  webRoot?: string | undefined;
  /** How the web app signs users in; `token` (paste one) when undefined. */
  webSignIn?: WebSignIn;
  /** Origins the web app may call besides the gateway and its issuer. */
  webConnectOrigins?: string[];
  /** How often the services' OpenAPI documents are fetched again for `/docs`. */
  docsRefreshMs?: number;
  logLevel?: string;
  logger?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The merged OpenAPI document of the services behind the gateway. */
    apiDocs: ApiDocs;
  }
}

export async function buildGatewayApp(deps: GatewayAppDeps): Promise<App> {
  const routes = deps.routes ?? routeTable;
  const balancer = createLoadBalancer(deps.registry);
  // The OpenAPI transform needs the docs, and the docs need the app's logger.
  const late: { docs?: ApiDocs } = {};
  const app = createService({
    name: 'gateway',
    logLevel: deps.logLevel ?? 'info',
    logger: deps.logger ?? true,
    trustProxy: deps.trustProxy ?? false,
    // Its answers go to clients, who have no use for the services' internal header.
    marksUnservedAnswers: false,
    openapi: {
      title: 'Stream-Seat API',
      description: 'The whole public API of Stream-Seat, through its gateway',
      transform: (document) => late.docs?.merge(document) ?? { ...document },
    },
  });
  const docs = createApiDocs({
    balancer,
    routes,
    isRegistered: (name) => deps.registry.instances(name).length > 0,
    refreshMs: deps.docsRefreshMs ?? 30_000,
    timeoutMs: 3_000,
    log: app.log,
  });
  late.docs = docs;
  app.decorate('apiDocs', docs);
  app.addHook('onReady', async () => void docs.refresh());
  // The document is merged synchronously as it is served: its missing parts are fetched before
  // (a root hook, added before the platform's /docs routes load, so that they inherit it).
  app.addHook('onRequest', async (request) => {
    if (DOCUMENT_ROUTES.has(request.routeOptions.url ?? '')) await docs.complete();
  });
  app.addHook('onClose', async () => docs.stop());
  const insideOperatorNetwork = operatorNetwork(deps.trustProxy ?? false);
  if (insideOperatorNetwork) {
    // A method those routes do not have is a 404 too, not a 405 whose Allow would say they exist.
    const isOperationsPath = pathMatcher(OPERATIONS_ROUTES, ROUTER_OPTIONS);
    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url;
      // No route, or a catch-all (CORS's `OPTIONS *`): the path itself says whether it is one.
      const specific = route !== undefined && !isRootCatchAll(route);
      if (specific ? !OPERATIONS_ROUTES.has(route) : !isOperationsPath(request.url)) return;
      if (!insideOperatorNetwork(request.ip)) return sendNotFound(reply, request);
    });
  }
  const breakerSettings = { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 10_000, rollingWindowMs: 10_000, ...deps.breakers };
  const breakers = createInstanceBreakers(breakerSettings, app.metricsRegistry);
  app.addHook('onClose', async () => breakers.shutdown());

  await app.register(helmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'same-site' } });
  const origins = deps.corsOrigins ?? [];
  const corsOptions = {
    origin: origins.includes('*') ? true : origins.length > 0 ? origins : false,
    credentials: false,
    // Every method of the public API (the plugin's default, GET, HEAD and POST, kept a page on
    // another origin from releasing a hold or editing an event).
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    exposedHeaders: ['x-request-id', 'traceparent', 'retry-after', 'location', 'etag', 'idempotent-replayed'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'last-event-id', 'x-request-id', 'traceparent'],
  };
  await app.register(cors, {
    // Only a browser's preflight (Origin and Access-Control-Request-Method) is answered here. Any
    // other OPTIONS goes to the service that owns the path, like any other method (its 405 names
    // the path's methods; an unknown path is a 404) — not the plugin's 400 in text/plain, nor a
    // 204 for every path.
    delegator: (request, callback) =>
      callback(null, isPreflight(request.method, request.headers) ? corsOptions : { ...corsOptions, preflight: false }),
  });
  registerEdgeAuth(app, deps.verifier);
  const limits = deps.rateLimit ?? { max: 1_200, windowMs: 60_000, holdsMax: 120 };
  await registerRateLimit(app, limits);

  const upstreamTimeoutMs = deps.upstreamTimeoutMs ?? 30_000;
  const connectTimeoutMs = deps.connectTimeoutMs ?? 2_000;
  const fanout =
    deps.streamFanout === false
      ? undefined
      : createEventStreamFanout({
          candidates: (name) => balancer.candidates(name).filter((i) => !breakers.isOpen(i.instanceId)),
          metrics: app.metricsRegistry,
          log: app.log,
          ringSize: deps.streamFanout?.ringSize ?? 1_000,
          maxBufferedBytes: deps.streamFanout?.maxBufferedBytes ?? 1_048_576,
          heartbeatMs: deps.streamFanout?.heartbeatMs ?? 15_000,
          upstreamIdleMs: deps.streamFanout?.upstreamIdleMs ?? STREAM_UPSTREAM_IDLE_DEFAULT_MS,
          ...(deps.streamFanout?.reconnectDelaysMs ? { reconnectDelaysMs: deps.streamFanout.reconnectDelaysMs } : {}),
          connectTimeoutMs,
          headersTimeoutMs: upstreamTimeoutMs,
        });
  // Before the server waits for connections to end: shared streams end their clients' responses.
  app.addHook('preClose', async () => fanout?.close());

  if (deps.devTokenSecret) registerDevTokenRoute(app, deps.devTokenSecret);
  registerGatewayInfoRoutes(app, routes, (name) => deps.registry.instances(name), breakers);
  if (deps.webRoot) {
    await registerWebApp(app, { root: deps.webRoot, signIn: deps.webSignIn ?? { kind: 'token' }, connectOrigins: deps.webConnectOrigins ?? [] });
  }
  await registerProxyRoutes(app, {
    routes,
    balancer,
    breakers,
    outstanding: createOutstandingRequests(),
    upstreamTimeoutMs,
    connectTimeoutMs,
    layoutBodyLimit: deps.bodyLimit ?? LAYOUT_BODY_LIMIT_BYTES,
    fanout,
    streamLimit: createClientStreamLimit({
      perClient: deps.streamsPerClient ?? DEFAULT_STREAMS_PER_CLIENT,
      perGateway: deps.maxClientStreams ?? DEFAULT_MAX_CLIENT_STREAMS,
      metrics: app.metricsRegistry,
    }),
    maxStreamsPerUpstream: deps.maxStreamsPerUpstream ?? 50_000,
    routeConfig: (route) => (route.id === 'holds' ? { rateLimit: holdsRateLimit(limits) } : undefined),
  });
  return app;
}

/**
 * The holds routes' limit: the tight one is for placing holds (POST). Reading or releasing one's
 * holds counts on a counter of its own at the general limit: the tight one had applied to them too
 * (each route with a limit of its own has its own counter), so a page reading its hold often was
 * refused sooner than any other read.
 */
function holdsRateLimit(limits: { max: number; windowMs: number; holdsMax: number }) {
  const places = (request: FastifyRequest) => request.method === 'POST';
  return {
    timeWindow: limits.windowMs,
    max: (request: FastifyRequest) => (places(request) ? limits.holdsMax : limits.max),
    keyGenerator: (request: FastifyRequest) => `${places(request) ? 'holds' : 'holds-other'}:${rateLimitKey(request)}`,
  };
}

/** A CORS preflight, as a browser sends it (Fetch standard §3.2.2). */
function isPreflight(method: string, headers: Record<string, string | string[] | undefined>): boolean {
  return method === 'OPTIONS' && headers['origin'] !== undefined && headers['access-control-request-method'] !== undefined;
}
