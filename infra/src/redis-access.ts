/**
 * The Redis rights of each service on AWS (ElastiCache ACL users, cache.construct.ts): apart from
 * the CDK constructs, so that a test can run the real clients under them on a real Redis.
 */

/** The services that use Redis, each as its own ACL user. */
export type RedisClientName = 'booking' | 'gateway';

/**
 * Each service's Redis rights (an ACL access string, as ElastiCache takes it): its own commands,
 * on its own channels or keys, nothing else — the internet-facing gateway, were it taken over,
 * could not publish seat changes to every booking task, nor booking touch the rate limits. The
 * prefixes are the services' own (`stream-seat:seat-changes:` in redis-seat-change-bus.ts,
 * `stream-seat:rate-limit:` in rate-limit.ts); infra/test/redis-access.test.ts runs the real
 * clients under these rules on a real Redis. `+@connection -@dangerous`: AUTH, HELLO, PING and the
 * like, not CLIENT KILL; INFO is ioredis's ready check.
 */
export const REDIS_ACCESS: Record<RedisClientName, string> = {
  booking: 'on &stream-seat:seat-changes:* -@all +@connection -@dangerous +info +publish +subscribe +unsubscribe',
  gateway: 'on ~stream-seat:rate-limit:* -@all +@connection -@dangerous +info +evalsha +eval +incr +pexpire +pttl +get',
};
