/**
 * Who may write to the registry. With `REGISTRY_TOKEN` set, every write (register, renew, cancel,
 * status, metadata) needs it, as HTTP basic credentials (`http://user:TOKEN@host:8761/eureka`, how
 * Spring clients send them; the user name is not checked) or as `Authorization: Bearer TOKEN`.
 * Otherwise anyone on the network could register a rogue instance and steal traffic. Reads stay
 * open unless `protectReads` is set.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { App } from '@stream-seat/platform';
import { OPERATIONS_PATHS, Unauthorized } from '@stream-seat/platform';

export interface RegistryAuthOptions {
  token: string | undefined;
  protectReads: boolean;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The secret a request presents: a bearer token, or the password of basic credentials. */
export function presentedSecret(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? '')) return value;
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

export function isAuthorized(authorization: string | undefined, token: string): boolean {
  const secret = presentedSecret(authorization);
  return secret !== undefined && timingSafeEqual(digest(secret), digest(token));
}

/** What stays open whatever `protectReads` says: the operations endpoints and the API docs. */
const isOpenRoute = (route: string) => OPERATIONS_PATHS.has(route) || route.startsWith('/docs');

export function registerRegistryAuth(app: App, options: RegistryAuthOptions): void {
  const { token } = options;
  if (!token) return;
  // Decided on the method and the route the router matched, never on the raw URL: the router
  // decodes the path (`/%65ureka/apps` is `/eureka/apps`), a prefix test on the URL does not.
  app.addHook('onRequest', async (request, reply) => {
    const read = request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS';
    const guarded = !read || (options.protectReads && !isOpenRoute(request.routeOptions.url ?? ''));
    if (!guarded || isAuthorized(request.headers.authorization, token)) return;
    reply.header('www-authenticate', 'Basic realm="eureka", Bearer');
    throw new Unauthorized('The registry needs its token: basic credentials (http://user:TOKEN@host/eureka) or a bearer token');
  });
}
