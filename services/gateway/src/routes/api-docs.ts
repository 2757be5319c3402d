/**
 * The gateway's `/docs` covers the whole public API: each service's OpenAPI document, fetched
 * through the registry in the background, merged with the gateway's own and cut down to the
 * paths its routes expose (internal paths such as the outbox endpoint stay out).
 */
import { createServiceClient, type LoadBalancer } from '@stream-seat/platform';
import type { FastifyBaseLogger } from 'fastify';
import { type RouteDefinition, targetApp } from '../proxy/route-table.js';

type Document = Readonly<Record<string, unknown>>;
type PathItems = Record<string, unknown>;

export interface ApiDocsOptions {
  balancer: LoadBalancer;
  routes: RouteDefinition[];
  refreshMs: number;
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

export function createApiDocs(options: ApiDocsOptions) {
  const apps = [...new Set(options.routes.map(targetApp))];
  const patterns = options.routes.map((r) => antPattern(r.path));
  const documents = new Map<string, Document>();
  const clients = new Map(apps.map((app) => [app, createServiceClient(options.balancer, app, { timeoutMs: options.timeoutMs })]));

  async function refresh(): Promise<void> {
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

  const timer = setInterval(() => void refresh(), options.refreshMs);
  timer.unref();
  let lastEagerRefresh = 0;

  return {
    refresh,
    /** The gateway's own document with every service's public paths and schemas added. */
    merge(own: Document): Record<string, unknown> {
      // A service that was not up yet at the last refresh is asked again soon.
      if (documents.size < apps.length && Date.now() - lastEagerRefresh > 2_000) {
        lastEagerRefresh = Date.now();
        void refresh();
      }
      const paths: PathItems = { ...(own['paths'] as PathItems | undefined) };
      const schemas: Record<string, unknown> = {};
      for (const document of documents.values()) {
        for (const [path, item] of Object.entries((document['paths'] as PathItems | undefined) ?? {})) {
          if (patterns.some((p) => p.test(path))) paths[path] = item;
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
