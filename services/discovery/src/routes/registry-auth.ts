/**
 * Who may write to the registry. With `REGISTRY_TOKEN` set, every write (register, renew, cancel,
 * status, metadata) needs it, as HTTP basic credentials (`http://user:TOKEN@host:8761/eureka`, how
 * Spring clients send them; the user name is not checked) or as `Authorization: Bearer TOKEN`.
 * Otherwise anyone on the network could register a rogue instance and steal traffic. Reads stay
 * open unless `protectReads` is set.
 *
 * An app's own token (`<APP>_REGISTRY_TOKEN` on the registry, e.g. `BOOKING_SERVICE_REGISTRY_TOKEN`;
 * that app's instances present it as their `REGISTRY_TOKEN`) writes that app's instances only: the
 * internet-facing gateway, were it taken over, could not register a rogue BOOKING-SERVICE and
 * receive buyers' tokens, nor the event service's messages. `REGISTRY_TOKEN` writes every app's
 * (peer registries replicate with it). Any of them reads when reads are protected.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { App } from '@stream-seat/platform';
import { Forbidden, OPERATIONS_PATHS, Unauthorized } from '@stream-seat/platform';
import type { FastifyRequest } from 'fastify';
import type { InstanceInfo } from '../domain/instance.js';
import type { Registry } from '../domain/registry.js';

export interface RegistryAuthOptions {
  /** Writes every app's instances. */
  token: string | undefined;
  /** By app key (appTokenKey): writes that app's instances only. */
  appTokens?: ReadonlyMap<string, string>;
  protectReads: boolean;
}

/** `booking-service` → `BOOKING_SERVICE`: how an app is named in `<APP>_REGISTRY_TOKEN`. */
export function appTokenKey(app: string): string {
  return app.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The secret a request presents: a bearer token, or the password of basic credentials. */
function presentedSecret(authorization: string | undefined): string | undefined {
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


/** A write authorised by an app's own token: that app, and the apps that have tokens of their own. */
export interface AppWriter {
  app: string;
  appsWithTokens: ReadonlySet<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the registry's auth hook for a write made with an app's own token; null otherwise. */
    appWriter: AppWriter | null;
  }
}

/** What a VIP may be spelt with (host-name characters), whoever writes it. */
const VIP_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * Refuses (403) an instance registered with an app's own token unless each of its VIP addresses
 * (each of the comma-separated lists Eureka allows) is its own app's: the app's name, as the
 * default (its name in lower case) is, or a name of its own below it (`booking-service-secure`)
 * that is not another app's (one with a token, or registered). Clients that route by VIP
 * (`/eureka/vips/booking-service`, Ribbon's server lists) would otherwise send another app's
 * traffic to it; a rule of names, not of who came first, so no app can claim a VIP before its
 * owner registers. VIPs are compared as `byVip` finds them: lower-cased, then as app keys.
 */
export function checkVipClaims(request: FastifyRequest, instance: Pick<InstanceInfo, 'vipAddress' | 'secureVipAddress'>, registry: Pick<Registry, 'applications'>): void {
  const writer = request.appWriter;
  if (!writer) return;
  const registered = new Set(registry.applications().map((a) => appTokenKey(a.name.toLowerCase())));
  const isOwn = (vip: string) => {
    const named = appTokenKey(vip.toLowerCase());
    if (named === writer.app) return true;
    return named.startsWith(`${writer.app}_`) && !writer.appsWithTokens.has(named) && !registered.has(named);
  };
  for (const [field, value] of [['vipAddress', instance.vipAddress], ['secureVipAddress', instance.secureVipAddress]] as const) {
    for (const vip of value.split(',').map((v) => v.trim()).filter((v) => v !== '')) {
      if (!VIP_PATTERN.test(vip) || !isOwn(vip)) {
        throw new Forbidden(`This token registers its own app (${writer.app}) only: instance.${field} claims ${vip}, which is not that app's`);
      }
    }
  }
}

/** What stays open whatever `protectReads` says: the operations endpoints and the API docs. */
const isOpenRoute = (route: string) => OPERATIONS_PATHS.has(route) || route.startsWith('/docs');

export function registerRegistryAuth(app: App, options: RegistryAuthOptions): void {
  // Compared as digests (equal lengths for timingSafeEqual), each token's made once.
  const tokenDigest = options.token ? digest(options.token) : undefined;
  const appDigests = [...(options.appTokens ?? [])].map(([app, appToken]) => [app, digest(appToken)] as const);
  const appsWithTokens = new Set(appDigests.map(([app]) => app));
  app.decorateRequest('appWriter', null);
  if (!tokenDigest && appDigests.length === 0) return;
  // Decided on the method and the route the router matched, never on the raw URL: the router
  // decodes the path (`/%65ureka/apps` is `/eureka/apps`), a prefix test on the URL does not.
  app.addHook('onRequest', async (request, reply) => {
    const read = request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS';
    const guarded = !read || (options.protectReads && !isOpenRoute(request.routeOptions.url ?? ''));
    if (!guarded) return;
    const secret = presentedSecret(request.headers.authorization);
    const presented = secret === undefined ? undefined : digest(secret);
    const holds = (expected: Buffer) => presented !== undefined && timingSafeEqual(presented, expected);
    if (tokenDigest && holds(tokenDigest)) return;
    const appOfToken = appDigests.find(([, expected]) => holds(expected))?.[0];
    if (appOfToken !== undefined) {
      if (read) return;
      // Every write names its app in the path (`/eureka/apps/{app}/…`).
      const target = (request.params as { app?: unknown }).app;
      if (typeof target === 'string' && appTokenKey(target) === appOfToken) {
        request.appWriter = { app: appOfToken, appsWithTokens };
        return;
      }
      throw new Forbidden(`This token writes the instances of its own app (${appOfToken}) only`);
    }
    reply.header('www-authenticate', 'Basic realm="eureka", Bearer');
    throw new Unauthorized('The registry needs its token: basic credentials (http://user:TOKEN@host/eureka) or a bearer token');
  });
}
