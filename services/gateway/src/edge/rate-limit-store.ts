/**
 * Where the rate limits count: in Redis, shared by every gateway, and in this gateway's memory
 * whenever Redis cannot be asked. With `skipOnError` alone a Redis outage lifted every limit (a
 * probe: 30 of 30 requests passed a limit of 20 while Redis was down). During an outage each
 * gateway counts on its own, so a caller gets the limit once per gateway; counting in Redis
 * resumes with its next answer.
 */
import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import type { Redis, RedisOptions } from 'ioredis';

/**
 * How the gateway connects to Redis for its limits: nothing queued while disconnected, one try per
 * command, and a command not answered within 250 ms counts as failed — a Redis that hangs (a
 * fail-over, packets dropped) rather than refusing had held every request in the limit's hook.
 */
export const RATE_LIMIT_REDIS_OPTIONS = { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 250 } as const satisfies RedisOptions;

type Store = FastifyRateLimitStore;
type Options = FastifyRateLimitOptions & { continueExceeding?: boolean; exponentialBackoff?: boolean };

class SharedOrLocal implements Store {
  constructor(
    private readonly shared: Store,
    private readonly local: Store,
  ) {}

  incr(key: string, callback: Parameters<Store['incr']>[1], timeWindow: number, max: number): void {
    this.shared.incr(key, (error, result) => (error ? this.local.incr(key, callback, timeWindow, max) : callback(null, result)), timeWindow, max);
  }

  child(routeOptions: Parameters<Store['child']>[0]): Store {
    return new SharedOrLocal(this.shared.child(routeOptions), this.local.child(routeOptions));
  }
}

/** A store for `@fastify/rate-limit`: Redis (keys under `nameSpace`), memory while Redis fails. */
export function redisStoreWithLocalFallback(redis: Redis, nameSpace: string): FastifyRateLimitStoreCtor {
  return class extends SharedOrLocal {
    constructor(options: Options) {
      const continueExceeding = options.continueExceeding ?? false;
      const exponentialBackoff = options.exponentialBackoff ?? false;
      super(new RedisStore(continueExceeding, exponentialBackoff, redis, nameSpace), new LocalStore(continueExceeding, exponentialBackoff));
    }
  };
}
