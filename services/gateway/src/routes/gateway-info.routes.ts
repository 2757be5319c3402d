/** `GET /gateway/routes`: the route table, and each route's instances with their circuit state. */
import type { App, InstanceAddress } from '@stream-seat/platform';
import type { InstanceBreakers } from '../proxy/instance-breakers.js';
import { type RouteDefinition, targetApp } from '../proxy/route-table.js';

export const GATEWAY_ROUTES_PATH = '/gateway/routes';

export function registerGatewayInfoRoutes(
  app: App,
  routes: RouteDefinition[],
  instances: (appName: string) => InstanceAddress[],
  breakers: InstanceBreakers,
): void {
  app.get(GATEWAY_ROUTES_PATH, { schema: { summary: 'The route table', tags: ['gateway'] } }, async () =>
    routes.map((route) => ({
      id: route.id,
      predicates: [`Path=${route.path}`],
      uri: route.uri,
      streaming: Boolean(route.streaming),
      shared: Boolean(route.shared),
      instances: instances(targetApp(route)).map((i) => i.url),
      circuits: Object.fromEntries(instances(targetApp(route)).map((i) => [i.url, breakers.state(i.instanceId)])),
    })),
  );
}
