/**
 * The Redis rights the CDK app gives each service (REDIS_ACCESS, as ElastiCache ACL users) are
 * enough for the real clients, and no more: on a real Redis, users made with those access strings
 * carry booking's seat changes between two of its buses and the gateway's shared rate-limit
 * counts — and booking cannot touch a key, nor the gateway publish to booking's channels. The
 * services connect as they do on AWS: the user in REDIS_URL, the password in REDIS_PASSWORD.
 * Runs when REDIS_URL is set (CI sets it); the users made here are deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { createService, redisUrlWithPassword } from '@stream-seat/platform';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_ACCESS, type RedisClientName } from '../src/redis-access.js';
import { createRedisSeatChangeBus } from '../../services/booking/src/live/redis-seat-change-bus.js';
import type { SeatChangeBus } from '../../services/booking/src/live/seat-change-bus.js';
import { registerRateLimit } from '../../services/gateway/src/edge/rate-limit.js';
import { RATE_LIMIT_REDIS_OPTIONS } from '../../services/gateway/src/edge/rate-limit-store.js';
import { eventually } from '../../tests/support/free-port.js';

const redisUrl = process.env['REDIS_URL'] ?? '';

describe.runIf(redisUrl)('the Redis ACL users of the CDK app, on a real Redis', () => {
  const run = randomBytes(4).toString('hex');
  const users: Record<RedisClientName, { name: string; password: string; url: string }> = {
    booking: { name: `acl-test-booking-${run}`, password: randomBytes(24).toString('hex'), url: '' },
    gateway: { name: `acl-test-gateway-${run}`, password: randomBytes(24).toString('hex'), url: '' },
  };
  let admin: Redis;
  const closing: Array<() => Promise<unknown>> = [];
  /** What a service connects to: its REDIS_URL (the user) with its REDIS_PASSWORD, as main.ts makes it. */
  const urlOf = (name: RedisClientName) => redisUrlWithPassword(users[name].url, users[name].password);
  const connectAs = (name: RedisClientName, options: RedisOptions = {}) => {
    const connection = new Redis(urlOf(name), options);
    closing.push(() => connection.quit().catch(() => connection.disconnect()));
    return connection;
  };

  beforeAll(async () => {
    admin = new Redis(redisUrl);
    for (const name of ['booking', 'gateway'] as const) {
      const user = users[name];
      await admin.call('ACL', 'SETUSER', user.name, ...REDIS_ACCESS[name].split(' '), `>${user.password}`);
      const url = new URL(redisUrl);
      url.username = user.name;
      url.password = '';
      user.url = url.toString();
    }
  });
  afterAll(async () => {
    for (const close of closing) await close();
    await admin?.call('ACL', 'DELUSER', users.booking.name, users.gateway.name);
    await admin?.quit();
  });

  it('carries booking’s seat changes from one of its buses to another', async () => {
    const buses: SeatChangeBus[] = [0, 1].map(() => createRedisSeatChangeBus({ url: urlOf('booking') }));
    closing.push(() => Promise.all(buses.map((bus) => bus.close())));
    for (const bus of buses) await eventually(async () => (bus.degraded?.() === undefined ? true : undefined), 10_000, 'the bus to connect');
    const eventId = `acl-${run}`;
    const seqs: number[] = [];
    expect(await buses[1]?.subscribe(eventId, (batch) => seqs.push(batch.seq)).ready).toBe(true);
    buses[0]?.publish({ eventId, seq: 5, changes: [{ seatId: 'A-1', status: 'HELD' }] });
    await eventually(async () => (seqs.length > 0 ? seqs : undefined), 5_000, 'the batch on the other bus');
    expect(seqs).toEqual([5]);
  });

  it('keeps booking off every key, and off channels not its own', async () => {
    const booking = connectAs('booking');
    await expect(booking.set(`stream-seat:rate-limit:${run}`, '1')).rejects.toThrow(/NOPERM/);
    await expect(booking.get(`stream-seat:seat-changes:${run}`)).rejects.toThrow(/NOPERM/);
    await expect(booking.publish(`other:${run}`, 'x')).rejects.toThrow(/NOPERM/);
    await expect(booking.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
  });

  it('counts the gateway’s rate limits in Redis', async () => {
    const redis = connectAs('gateway', RATE_LIMIT_REDIS_OPTIONS);
    // Without an offline queue, a command before the connection is ready fails (and is counted in memory).
    await eventually(async () => (redis.status === 'ready' ? true : undefined), 5_000, 'the gateway’s Redis connection');
    const app = createService({ name: 'gateway', logger: false });
    await registerRateLimit(app, { max: 2, windowMs: 60_000, redis });
    app.get('/api/things', async () => ({ ok: true }));
    await app.ready();
    closing.push(() => app.close());
    // A caller of its own: its counter is this test's.
    const remoteAddress = `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'GET', url: '/api/things', remoteAddress })).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
    // Counted in Redis, not in the memory it falls back to when Redis refuses.
    expect(await admin.get(`stream-seat:rate-limit:ip:${remoteAddress}`)).toBe('3');
    await admin.del(`stream-seat:rate-limit:ip:${remoteAddress}`);
  });

  it('keeps the gateway off booking’s channels and other keys', async () => {
    const gateway = connectAs('gateway');
    await expect(gateway.publish(`stream-seat:seat-changes:acl-${run}`, '{}')).rejects.toThrow(/NOPERM/);
    await expect(gateway.subscribe(`stream-seat:seat-changes:acl-${run}`)).rejects.toThrow(/NOPERM/);
    await expect(connectAs('gateway').get(`other:${run}`)).rejects.toThrow(/NOPERM/);
    await expect(connectAs('gateway').call('FLUSHALL')).rejects.toThrow(/NOPERM/);
  });
});
