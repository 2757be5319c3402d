/**
 * RFC 9110 §15.5.6: a path that names a route under other methods is answered 405 with an `Allow`
 * header listing them, not 404. Every route is indexed as it is registered (an `onRoute` hook,
 * added before any route) in a router of its own: find-my-way, fastify's own, with the app's
 * router options, so that a path matches here exactly as it matches in fastify (parameters,
 * wildcards, a trailing slash, the query string left out).
 *
 * HEAD is listed where fastify really answers it (the HEAD it adds for a GET route, unless the
 * route says `exposeHeadRoute: false`). A root catch-all (`*`: @fastify/cors's preflight route)
 * is left out: it would make every unknown path an existing one, and it answers only preflights.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import Router, { type HTTPMethod } from 'find-my-way';

export interface RouteIndex {
  /** The methods (sorted) of the routes matching the request target's path; empty for an unknown path. */
  allowedMethods(url: string): string[];
  /** Whether any route serves `method` (on any path). */
  implements(method: string): boolean;
}

type RouterOptions = Pick<Router.Config<Router.HTTPVersion.V1>, 'ignoreTrailingSlash' | 'ignoreDuplicateSlashes' | 'maxParamLength' | 'caseSensitive'>;

const noop = () => undefined;

/** A route that takes every path (`*`, as @fastify/cors registers for preflights): it names no path. */
export function isRootCatchAll(url: string): boolean {
  return url === '*' || url === '/*';
}

/** Indexes every route `app` (and its plugins) registers from now on: call it before any route. */
export function registerRouteIndex(app: FastifyInstance, routerOptions: RouterOptions): RouteIndex {
  const router = Router(routerOptions);
  const methods = new Set<HTTPMethod>();
  app.addHook('onRoute', (route: RouteOptions) => {
    if (isRootCatchAll(route.url)) return;
    for (const method of [route.method].flat() as string[]) {
      const m = method.toUpperCase() as HTTPMethod;
      // Routes told apart by constraints (version, host) share a path and method here.
      if (router.hasRoute(m, route.url)) continue;
      try {
        router.on(m, route.url, noop);
      } catch {
        // A method of fastify's addHttpMethod find-my-way does not know (or a path already indexed
        // under another spelling): the route is served all the same, only not listed here.
        continue;
      }
      methods.add(m);
    }
  });
  return {
    allowedMethods(url) {
      const allowed: string[] = [];
      for (const method of methods) if (router.find(method, url)) allowed.push(method);
      return allowed.sort();
    },
    implements: (method) => methods.has(method as HTTPMethod),
  };
}

/**
 * True when a request target's path is one of `paths` as the router would match it (a trailing
 * slash, percent-encoded letters): for deciding about a path no route of this method serves.
 */
export function pathMatcher(paths: Iterable<string>, routerOptions: RouterOptions): (url: string) => boolean {
  const router = Router(routerOptions);
  for (const path of paths) router.on('GET', path, noop);
  return (url) => router.find('GET', url) !== null;
}
