/** Composition root of the gateway: the route table over the registry, auth, info routes. */
import { type App, createLoadBalancer, createService, type RegistryClient } from '@stream-seat/platform';
import { registerProxyRoutes } from './proxy/proxy.routes.js';
import { type RouteDefinition, routeTable } from './proxy/route-table.js';
import { registerDevTokenRoute } from './routes/dev-token.routes.js';
import { registerGatewayInfoRoutes } from './routes/gateway-info.routes.js';

export interface GatewayAppDeps {
  registry: Pick<RegistryClient, 'instances' | 'isHealthy'>;
  routes?: RouteDefinition[];
  /** Set in AUTH_MODE=dev: enables `POST /api/auth/dev-token`. */
  devTokenSecret?: string | undefined;
  upstreamTimeoutMs?: number;
  connectTimeoutMs?: number;
  logLevel?: string;
  logger?: boolean;
}

export async function buildGatewayApp(deps: GatewayAppDeps): Promise<App> {
  const app = createService({
    name: 'gateway',
    logLevel: deps.logLevel ?? 'info',
    logger: deps.logger ?? true,
    openapi: { title: 'Stream-Seat gateway', description: 'The single public entry of Stream-Seat' },
  });
  const routes = deps.routes ?? routeTable;
  const balancer = createLoadBalancer(deps.registry);
  app.addReadinessCheck({
    name: 'registry',
    check: async () => {
      if (!deps.registry.isHealthy()) throw new Error('registry unreachable');
    },
  });
  if (deps.devTokenSecret) registerDevTokenRoute(app, deps.devTokenSecret);
  registerGatewayInfoRoutes(app, routes, (name) => deps.registry.instances(name));
  await registerProxyRoutes(app, {
    routes,
    balancer,
    upstreamTimeoutMs: deps.upstreamTimeoutMs ?? 10_000,
    connectTimeoutMs: deps.connectTimeoutMs ?? 2_000,
  });
  return app;
}
