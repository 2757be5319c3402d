/**
 * The gateway's `/docs` covers the whole public API: each service's OpenAPI document, fetched
 * through the registry in the background, merged with the gateway's own and cut down to the
 * paths its routes expose (internal paths such as the outbox endpoint stay out). A request for
 * the document first fetches the documents of services that registered since the last refresh
 * (see `complete`), so the first answer after start-up is not just the gateway's own paths. A
 * stream route's operations also list the 429 and 503 the gateway itself answers there
 * (STREAMS_PER_CLIENT, MAX_CLIENT_STREAMS).
 */
import { createServiceClient, type LoadBalancer } from '@stream-seat/platform';
import type { FastifyBaseLogger } from 'fastify';
import pTimeout from 'p-timeout';
import { type RouteDefinition, targetApp } from '../proxy/route-table.js';

type Document = Readonly<Record<string, unknown>>;
type PathItems = Record<string, unknown>;

export interface ApiDocsOptions {
  balancer: LoadBalancer;
  routes: RouteDefinition[];
  /** True when the gateway's registry view lists an UP instance of the app. */
  isRegistered: (app: string) => boolean;
  refreshMs: number;
  /** Bounds each document fetch, and how long a request for the docs waits for missing ones. */
  timeoutMs: number;
  log: FastifyBaseLogger;
}

/** `/api/venues/**` → matches `/api/venues` and below; `*` one segment (`{id}` in OpenAPI). */
export function antPattern(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\/\*\*$/, '(?:/.*)?')
    .replace(/\/\*(?=\/|$)/g, '/[^/]+');
  return new RegExp(`^${escaped}$`);
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The gateway's refusal of a stream past its client's cap (proxy.routes.ts), as the services' problems are documented. */
const TOO_MANY_STREAMS = {
  description: 'Too many live streams open at once from this client address (the gateway’s STREAMS_PER_CLIENT), or too many requests: retry after Retry-After seconds',
  headers: { 'retry-after': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } },
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string' },
          limit: { type: 'integer', description: 'Streams one client address may hold open' },
        },
        required: ['type', 'title', 'status'],
      },
    },
  },
};

/** The gateway's refusal of a stream past its own cap (MAX_CLIENT_STREAMS), the same problem shape. */
const STREAMS_FULL = {
  ...TOO_MANY_STREAMS,
  description: 'This gateway holds the most live streams it takes (its MAX_CLIENT_STREAMS): retry after Retry-After seconds — another may take it',
};

/** A path item whose operations also list the gateway's 429 and 503 (a service's own, if any, is kept). */
function withStreamLimit(item: unknown): unknown {
  if (typeof item !== 'object' || item === null) return item;
  return Object.fromEntries(
    Object.entries(item).map(([key, operation]: [string, unknown]) => {
      if (!HTTP_METHODS.has(key) || typeof operation !== 'object' || operation === null) return [key, operation];
      const responses = (operation as { responses?: Record<string, unknown> }).responses;
      return [key, { ...operation, responses: { '429': TOO_MANY_STREAMS, '503': STREAMS_FULL, ...responses } }];
    }),
  );
}

export function createApiDocs(options: ApiDocsOptions) {
  const apps = [...new Set(options.routes.map(targetApp))];
  const patterns = options.routes.map((r) => antPattern(r.path));
  const streamPatterns = options.routes.filter((r) => r.streaming).map((r) => antPattern(r.path));
  const documents = new Map<string, Document>();
  const clients = new Map(apps.map((app) => [app, createServiceClient(options.balancer, app, { timeoutMs: options.timeoutMs })]));

  async function fetchAll(): Promise<void> {
    await Promise.all(
      apps.map(async (app) => {
        try {
          const response = await clients.get(app)?.getJson<Document>('/docs/json');
          if (response?.status === 200 && response.body) documents.set(app, response.body);
        } catch (error) {
          options.log.debug({ app, err: (error as Error).message }, 'OpenAPI document not available yet');
        }
      }),
    );
  }

  /** One refresh at a time: callers that arrive while one runs share it. */
  let running: Promise<void> | undefined;
  function refresh(): Promise<void> {
    running ??= fetchAll().finally(() => (running = undefined));
    return running;
  }

  const timer = setInterval(() => void refresh(), options.refreshMs);
  timer.unref();

  return {
    refresh,
    /**
     * Fetches the documents of registered services that the cache lacks (they registered after
     * the last refresh: at start-up the gateway usually comes up before the services), waiting at
     * most `timeoutMs`; a refresh still running then fills the cache for the next request.
     */
    async complete(): Promise<void> {
      if (!apps.some((app) => !documents.has(app) && options.isRegistered(app))) return;
      await pTimeout(refresh(), { milliseconds: options.timeoutMs, message: false });
    },
    /** The gateway's own document with every service's public paths and schemas added. */
    merge(own: Document): Record<string, unknown> {
      const paths: PathItems = { ...(own['paths'] as PathItems | undefined) };
      const schemas: Record<string, unknown> = {};
      for (const document of documents.values()) {
        for (const [path, item] of Object.entries((document['paths'] as PathItems | undefined) ?? {})) {
          if (patterns.some((p) => p.test(path))) paths[path] = streamPatterns.some((p) => p.test(path)) ? withStreamLimit(item) : item;
        }
        Object.assign(schemas, (document['components'] as { schemas?: Record<string, unknown> } | undefined)?.schemas);
      }
      const components = (own['components'] as Record<string, unknown> | undefined) ?? {};
      return {
        ...own,
        paths,
        components: { ...components, schemas: { ...schemas, ...(components['schemas'] as Record<string, unknown> | undefined) } },
      };
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
export type ApiDocs = ReturnType<typeof createApiDocs>;
