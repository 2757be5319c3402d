/**
 * The gateway's routes, declared as data like Spring Cloud Gateway's: a path predicate and an
 * `lb://SERVICE` target resolved through the registry.
 */

export interface RouteDefinition {
  id: string;
  /** Ant-style: `/**` matches the prefix itself and everything below it; `*` one segment. */
  path: string;
  /** `lb://APP-NAME`: load-balanced over the app's UP instances. */
  uri: `lb://${string}`;
  /** Long-lived streams (SSE): no response body timeout. */
  streaming?: boolean;
  /**
   * One upstream stream per path, shared by every client of the gateway (see
   * event-stream-fanout.ts). Only for public streams whose content does not depend on the caller.
   */
  shared?: boolean;
  /**
   * Takes venue layouts: bodies up to the event service's own limit (the gateway's
   * BODY_LIMIT_BYTES). Every other route keeps the platform's 1 MiB: the gateway reads a body
   * whole before its rate limit can refuse the caller.
   */
  layoutBodies?: boolean;
}

export const routeTable: RouteDefinition[] = [
  { id: 'venues', path: '/api/venues/**', uri: 'lb://EVENT-SERVICE', layoutBodies: true },
  { id: 'events', path: '/api/events/**', uri: 'lb://EVENT-SERVICE' },
  { id: 'availability-stream', path: '/api/availability/*/stream', uri: 'lb://BOOKING-SERVICE', streaming: true, shared: true },
  { id: 'availability', path: '/api/availability/**', uri: 'lb://BOOKING-SERVICE' },
  { id: 'holds', path: '/api/holds/**', uri: 'lb://BOOKING-SERVICE' },
  { id: 'orders', path: '/api/orders/**', uri: 'lb://BOOKING-SERVICE' },
  { id: 'tickets', path: '/api/tickets/**', uri: 'lb://BOOKING-SERVICE' },
  { id: 'sales', path: '/api/sales/**', uri: 'lb://BOOKING-SERVICE' },
];

export function targetApp(route: RouteDefinition): string {
  return route.uri.slice('lb://'.length).toUpperCase();
}

/** The fastify paths that implement an Ant pattern: `/a/**` → `/a` and `/a/*`. */
export function fastifyPaths(pattern: string): string[] {
  if (pattern.endsWith('/**')) {
    const base = pattern.slice(0, -3);
    return [base, `${base}/*`];
  }
  // A single-segment wildcard becomes a named parameter.
  let n = 0;
  return [pattern.replace(/\/\*(?=\/|$)/g, () => `/:p${n++}`)];
}
