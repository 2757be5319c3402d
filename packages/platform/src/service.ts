/**
 * The service defaults: `createService()` gives a fastify instance with the zod type provider,
 * request ids, trace context, problem+json errors, health, readiness, metrics and OpenAPI docs
 * (`runService()`, in run-service.ts, runs one).
 */
import type { IncomingMessage } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { type ReadinessCheck, registerHealth } from './health.js';
import { loggerOptions, requestIdFrom } from './logger.js';
import { registerRouteIndex } from './method-not-allowed.js';
import { createMetricsRegistry, registerMetrics } from './metrics.js';
import { openapiTransform } from './openapi-transform.js';
import { type ErrorMapper, registerProblemHandler, sendProblem } from './problem-handler.js';
import { answerClientError, answerConnect, answerUnmetExpectation } from './client-error.js';
import { InvalidField, NOT_SERVED_HEADER, PROBLEM_TYPE_BASE } from './errors.js';
import { headerCount, headerCounts, ONCE_ONLY_HEADERS } from './header-counts.js';
import { registerJsonParser, registerSchemaCompilers } from './request-schemas.js';
import { childTrace, formatTraceparent, parseTraceparent, type TraceContext } from './tracing.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    trace: TraceContext;
  }
  interface FastifyInstance {
    metricsRegistry: Registry;
    /** Adds a readiness check (`GET /ready`). */
    addReadinessCheck(check: ReadinessCheck): void;
    /** True once shutdown began: readiness turns DOWN before the listener closes. */
    isDraining(): boolean;
    startDraining(): void;
    /** True while a start-up task (database, migrations) runs: the API answers 503 meanwhile. */
    isStarting(): boolean;
    setStarting(starting: boolean): void;
  }
}

/** The operations endpoints every service serves: open to probes and scrapers, and served while starting or closing. */
export const OPERATIONS_PATHS = new Set(['/health', '/started', '/ready', '/metrics']);

export interface CreateServiceOptions {
  /** Short name for logs and metrics, e.g. `booking`. */
  name: string;
  logLevel?: string;
  /**
   * Title and description of the OpenAPI document served at `/docs` (and `/docs/json`);
   * `transform` may rewrite the document as it is served (the gateway merges its services').
   */
  openapi?: {
    title: string;
    description?: string;
    version?: string;
    transform?: (document: Readonly<Record<string, unknown>>) => Record<string, unknown>;
  };
  bodyLimit?: number;
  /** How long a client may take to send a whole request, headers and body (REQUEST_TIMEOUT_MS by default). */
  requestTimeoutMs?: number;
  /** Pass `false` to keep logs quiet in tests. */
  logger?: boolean;
  /** Map library errors (e.g. "database unreachable" → 503) before the problem handler. */
  errorMappers?: ErrorMapper[];
  /** Which proxies' X-Forwarded-For to believe (fastify's `trustProxy`): the gateway behind a load balancer. */
  trustProxy?: boolean | string;
  /**
   * Whether a 503 answered while starting or closing says it served nothing (NOT_SERVED_HEADER),
   * for the gateway in front (default true). The gateway's own answers go to clients: false.
   */
  marksUnservedAnswers?: boolean;
}

/**
 * How every service's router reads paths. Ids are bounded by their schemas (64 characters): a
 * longer one gets a 400 naming the parameter, not the router's "not a valid url component" (its
 * default cap is 100). Shared with the route index that answers a wrong method 405
 * (method-not-allowed.ts) and with the gateway's operations-path check, so that all match alike.
 */
export const ROUTER_OPTIONS = { ignoreTrailingSlash: true, maxParamLength: 1000 };

/**
 * A request must have arrived whole within this: one that sends its headers and then its body a
 * byte at a time, or never, is answered 408 and its connection closed, instead of holding it for
 * good (fastify's default is no limit). Bodies are at most 1 MB; a stream's request is its headers.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * How long an idle keep-alive connection stays open (fastify's default, set here so that what
 * stands in front can be checked against it). A load balancer in front must give up on idle
 * connections first: if the server closes one just as the balancer sends a request on it, the
 * caller gets a 502. The ALB's idle timeout is 60 s (infra/src/load-balancer.construct.ts).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** What a path or query that does not decode is told (the router's, and the gateway's for queries). */
export const MALFORMED_PERCENT_ENCODING = 'has a malformed percent-encoding (a % must start a UTF-8 sequence such as %C3%A9)';

/** True when `text` decodes as a URI component: every `%` starts a UTF-8 sequence. */
function decodesAsUriComponent(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** The router's refusals of a path, by fastify's error code, in the words of a field problem. */
const PATH_PROBLEMS: Record<string, string> = {
  FST_ERR_BAD_URL: MALFORMED_PERCENT_ENCODING,
  FST_ERR_MAX_PARAM_LENGTH: `has a part longer than ${ROUTER_OPTIONS.maxParamLength.toLocaleString('en')} characters`,
};

/**
 * A documented public API route that declares no query parameters takes none: `POST
 * /api/holds?dryRun=1` would otherwise hold seats as if the parameter meant something. Its query
 * string gets the empty strict schema, so a parameter is a 400 naming `querystring.<name>`, as on
 * the routes that take some. Routes with no schema, or hidden from the docs (the gateway's proxy,
 * which passes queries on to the service that declares them), are left alone.
 */
function refuseUnknownQueryParameters(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || !route.schema || route.schema.hide || route.schema.querystring) return;
    route.schema = { ...route.schema, querystring: z.strictObject({}) };
  });
}

export function createService(options: CreateServiceOptions): App {
  /** Each request's span, made with its logger so that every line logged for it carries the trace. */
  const traces = new WeakMap<IncomingMessage, TraceContext>();
  const traceOf = (raw: IncomingMessage) => {
    let trace = traces.get(raw);
    if (!trace) {
      trace = childTrace(parseTraceparent(raw.headers['traceparent']));
      traces.set(raw, trace);
    }
    return trace;
  };
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(options.name, options.logLevel ?? 'info'),
    childLoggerFactory: (logger, bindings, loggerOptions, raw) => {
      const trace = traceOf(raw);
      return logger.child({ ...bindings, traceId: trace.traceId, spanId: trace.spanId }, loggerOptions);
    },
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http: {
      // Given to the server as it is created too: Node reads it for its connection checks only
      // then, and fastify sets it afterwards (on Node 20.20 a body that never came was held).
      requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      // How often Node checks open requests' time limits (30 s by default: up to twice the limit).
      connectionsCheckingInterval: Math.min(5_000, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
      // Node would answer an HTTP/1.1 request without Host with a bare 400; ours is a problem (below).
      requireHostHeader: false,
    },
    // Requests still arriving while the app closes get our own 503 problem, with Retry-After (below).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: ROUTER_OPTIONS,
    clientErrorHandler: answerClientError,
    trustProxy: options.trustProxy ?? false,
    // Even a URL fastify cannot decode gets a problem+json answer.
    frameworkErrors: (error, request, reply) => {
      // A path that does not decode (`/api/events/%FF`), or with a part longer than the router
      // takes, is named like any other bad field (the router's own message repeats the path).
      const problem = PATH_PROBLEMS[(error as { code?: string }).code ?? ''];
      void sendProblem(reply, {
        type: `${PROBLEM_TYPE_BASE}bad-request`,
        title: 'Bad request',
        status: 400,
        detail: problem ? `path: ${problem}` : error.message,
        // A path refused (too long a part, or one that does not decode) is not repeated as the
        // instance either: 1 KB and more back.
        ...(problem ? {} : { instance: request.url }),
        ...(problem ? { errors: [{ field: 'path', message: problem }] } : {}),
      });
    },
  }).withTypeProvider<ZodTypeProvider>();

  registerSchemaCompilers(app);
  refuseUnknownQueryParameters(app);
  // Before any route (health, metrics, docs, the service's own), so that every one is indexed.
  const routes = registerRouteIndex(app, ROUTER_OPTIONS);
  registerProblemHandler(app, options.errorMappers, routes);
  // Two requests Node answers itself, one with a closed socket and one with an empty 417.
  app.server.on('connect', answerConnect(routes.allowedMethods));
  app.server.on('checkExpectation', answerUnmetExpectation);
  registerJsonParser(app);

  app.decorateRequest('trace', undefined as unknown as TraceContext);
  app.addHook('onRequest', async (request, reply) => {
    request.trace = traceOf(request.raw);
    reply.header('x-request-id', request.id);
    reply.header('traceparent', formatTraceparent(request.trace));
    const counted = headerCounts(request.raw.rawHeaders, ONCE_ONLY_HEADERS);
    // HTTP/1.1 needs exactly one Host (RFC 9112 §3.2): none, or two that may disagree, is a 400.
    if (request.raw.httpVersion === '1.1' && counted.host !== 1) {
      throw new InvalidField('headers.host', counted.host === 0 ? 'is required in HTTP/1.1' : 'is given more than once');
    }
    // Node keeps the first of two and drops the other: a proxy in front that kept the last would
    // have judged another caller, or another body, than this service serves.
    for (const name of ['authorization', 'content-type'] as const) {
      if (counted[name] > 1) throw new InvalidField(`headers.${name}`, 'is given more than once');
    }
    // A query that does not decode (`?q=%FF`) had been read with its `%` kept as text by a service
    // reached on its own port (the gateway's proxy passes none on); `+` and a bare `=` decode.
    const target = request.raw.url ?? '';
    const queryStart = target.indexOf('?');
    if (queryStart >= 0 && !decodesAsUriComponent(target.slice(queryStart + 1))) throw new InvalidField('querystring', MALFORMED_PERCENT_ENCODING);
    // Node joins two keys into one ("a, b"), which would then be kept for a request naming
    // neither; checked here, so also at the gateway, which passes on the joined header. Only a
    // joined-looking key is counted: the raw headers are not walked again on every request.
    const key = request.headers['idempotency-key'];
    if (typeof key === 'string' && key.includes(', ') && headerCount(request.raw.rawHeaders, 'idempotency-key') > 1) {
      throw new InvalidField('headers.idempotency-key', 'is given more than once');
    }
  });

  const checks: ReadinessCheck[] = [
    {
      name: 'startup',
      gatesStart: true,
      check: async () => {
        if (starting) throw new Error('starting');
      },
    },
  ];
  let draining = false;
  let starting = false;
  app.decorate('isStarting', () => starting);
  app.decorate('setStarting', (value: boolean) => {
    starting = value;
  });
  /** True once app.close() began: a request still arriving on a kept-alive connection is turned away. */
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    // Every answer sent while closing ends its connection — those in flight when the close began,
    // and health checks too: a kept-alive connection left idle after them held the drain open until
    // SHUTDOWN_TIMEOUT_MS, with nothing in flight (a hostile probe).
    if (closing) reply.header('connection', 'close');
    // An answer to a caller's token is theirs (orders and their ticket codes, holds, drafts): kept
    // by no cache, the browser's included, unless its route says otherwise (a seat map's ETag).
    // They had gone out with no Cache-Control at all (a hostile probe).
    if (request.headers.authorization !== undefined && !reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!(starting || closing) || OPERATIONS_PATHS.has(request.url.split('?')[0] ?? '')) return;
    if (options.marksUnservedAnswers ?? true) reply.header(NOT_SERVED_HEADER, '1');
    return sendProblem(reply, {
      type: `${PROBLEM_TYPE_BASE}${closing ? 'shutting-down' : 'starting'}`,
      title: 'Service unavailable',
      status: 503,
      detail: closing ? 'This instance is shutting down; try another' : 'The service is starting; try again shortly',
      instance: request.url,
    });
  });
  app.decorate('addReadinessCheck', (check: ReadinessCheck) => {
    checks.push(check);
  });
  app.decorate('isDraining', () => draining);
  app.decorate('startDraining', () => {
    draining = true;
  });
  registerHealth(app, () => checks, () => draining);

  const metricsRegistry = createMetricsRegistry(options.name);
  app.decorate('metricsRegistry', metricsRegistry);
  registerMetrics(app, metricsRegistry);

  if (options.openapi) {
    void app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: options.openapi.title,
          description: options.openapi.description ?? '',
          version: options.openapi.version ?? '0.1.0',
        },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      transform: openapiTransform,
    });
    const transform = options.openapi.transform;
    void app.register(swaggerUi, {
      routePrefix: '/docs',
      // The UI's own scripts only (hashes of its inline ones): the page shares an origin with the
      // web app, whose token lives in localStorage. Inline styles stay allowed: the UI sets some as
      // it draws, and a style runs no code. No upgrade-insecure-requests: on a plain-HTTP origin
      // (the load balancer without a certificate) it would send the UI's own files to https.
      staticCSP: true,
      transformStaticCSP: (header: string) =>
        header.replace(/style-src ([^;]*)/, "style-src $1 'unsafe-inline'").replace(/\s*upgrade-insecure-requests;?/, ''),
      ...(transform ? { transformSpecification: (document: Readonly<Record<string, unknown>>) => transform(document) } : {}),
    });
  }
  return app;
}

/**
 * Registers a service's routes in a plugin, so that they load after @fastify/swagger's onRoute
 * hook is in place: registered on the root directly they would be missing from /docs.
 */
export function registerRoutes(app: App, register: (routes: App) => void): void {
  void app.register(async (scope) => register(scope.withTypeProvider<ZodTypeProvider>()));
}
