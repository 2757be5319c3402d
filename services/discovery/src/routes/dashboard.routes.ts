/** `GET /`: the registry's dashboard page. */
import type { App } from '@stream-seat/platform';
import { DASHBOARD_CONTENT_SECURITY_POLICY, type DashboardPeer, renderDashboard } from '../domain/dashboard-view.js';
import type { Registry } from '../domain/registry.js';

export interface DashboardDeps {
  registry: Registry;
  peers: () => DashboardPeer[];
  clock: () => number;
  startedAt: number;
}

export function registerDashboardRoutes(app: App, deps: DashboardDeps): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', DASHBOARD_CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .send(
      renderDashboard({
        now: deps.clock(),
        startedAt: deps.startedAt,
        stats: deps.registry.stats(),
        peers: deps.peers(),
        applications: deps.registry.applications(),
      }),
    ),
  );
}
