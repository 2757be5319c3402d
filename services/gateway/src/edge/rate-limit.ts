/**
 * Rate limits per caller: the token's subject when there is one, else the client address. In
 * memory for one gateway; in Redis when `REDIS_URL` is set, so that several gateways share the
 * counts. Holds get a tighter limit of their own (see the route config in app.ts).
 */
import rateLimit from '@fastify/rate-limit';
import { AppError, type App } from '@stream-seat/platform';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { clientAddressKey } from './client-address.js';
import { redisStoreWithLocalFallback } from './rate-limit-store.js';

export interface RateLimitSettings {
  max: number;
  windowMs: number;
  redis?: Redis | undefined;
}

const UNLIMITED = new Set(['/health', '/started', '/ready', '/metrics']);

/**
 * Whom a request counts against: the token's subject, else the client address — an IPv6 client
 * by its /64, whose addresses it may rotate through at will (30 addresses of one /64 had made 30
 * callers of a limit of 20, where the stream cap already counted the /64).
 */
export function rateLimitKey(request: FastifyRequest): string {
  return request.principal ? `sub:${request.principal.sub}` : `ip:${clientAddressKey(request.ip)}`;
}

export async function registerRateLimit(app: App, settings: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: settings.max,
    timeWindow: settings.windowMs,
    // After edge auth, so that the limit follows the user rather than a shared NAT address.
    hook: 'preHandler',
    keyGenerator: rateLimitKey,
    allowList: (request) => UNLIMITED.has(request.url.split('?')[0] ?? ''),
    // In Redis, shared by the gateways; in memory while Redis fails (rate-limit-store.ts).
    ...(settings.redis ? { store: redisStoreWithLocalFallback(settings.redis, 'stream-seat:rate-limit:') } : {}),
    // Should counting fail anyway, the gateway keeps serving rather than refusing everyone.
    skipOnError: true,
    // The time left in the caller's window, as Retry-After gives it (not the window's length).
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate-limited', 'Too many requests', `At most ${context.max} requests in a window; try again in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`),
  });
}
