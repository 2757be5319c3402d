/** `GET /gateway/routes`: the route table and the instances each route resolves to now. */
import type { App, LoadBalancer } from '@stream-seat/platform';
import { type RouteDefinition, targetApp } from '../proxy/route-table.js';

export function registerGatewayInfoRoutes(
  app: App,
  routes: RouteDefinition[],
  instances: (appName: string) => ReturnType<LoadBalancer['candidates']>,
): void {
  app.get('/gateway/routes', { schema: { summary: 'The route table', tags: ['gateway'] } }, async () =>
    routes.map((route) => ({
      id: route.id,
      predicates: [`Path=${route.path}`],
      uri: route.uri,
      streaming: Boolean(route.streaming),
      instances: instances(targetApp(route)).map((i) => i.url),
    })),
  );
}
