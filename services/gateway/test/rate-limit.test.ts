/**
 * The gateway's rate limits in front of a real registry and a real booking service: holds have a
 * limit of their own, lower than the other routes'; gateways given one Redis (REDIS_URL) count a
 * caller's requests together, and without it each gateway counts on its own.
 */
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { type App, type RegistryClient, signDevToken } from '@stream-seat/platform';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { type BookingTestApp, createBookingTestApp, TEST_JWT_SECRET } from '../../booking/test/booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from '../../booking/test/in-memory-catalogue.js';
import type { GatewayAppDeps } from '../src/app.js';
import { RATE_LIMIT_REDIS_OPTIONS } from '../src/edge/rate-limit-store.js';
import { startTcpGate } from '../../../tests/support/tcp-gate.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';
import { listenOnLoopback } from '../../../tests/support/free-port.js';

const redisUrl = process.env['REDIS_URL'];

let kit: GatewayTestKit;
let booking: BookingTestApp;
let bookingRegistration: RegistryClient;

const gatewayWith = async (rateLimit: GatewayAppDeps['rateLimit']) => (await kit.gatewayWith({ rateLimit })).gateway;

const bearer = async (sub: string) => ({ authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub, role: 'buyer' })}` });

/** The caller's orders through each gateway in turn, one request at a time: their status codes. */
async function alternate(through: App[], sub: string, count: number): Promise<number[]> {
  const headers = await bearer(sub);
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const gateway = through[i % through.length] as App;
    statuses.push((await gateway.inject({ method: 'GET', url: '/api/orders', headers })).statusCode);
  }
  return statuses;
}

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  const catalogue = createInMemoryCatalogue();
  const { event, map } = hallEvent('ev-limits');
  catalogue.put(event, map);
  booking = await createBookingTestApp('sqlite', { catalogue });
  bookingRegistration = testRegistryClient({ registryUrls: [kit.registryUrl], app: 'BOOKING-SERVICE', port: await listenOnLoopback(booking.app) });
  await bookingRegistration.start();
});

afterAll(async () => {
  // Leave the registry while it still answers, then close it.
  await bookingRegistration?.stop();
  await kit?.close();
  await booking?.close();
});

describe('rate limits at the gateway', () => {
  it('holds a caller to the lower holds limit while their other requests still pass', async () => {
    const gateway = await gatewayWith({ max: 10, windowMs: 60_000, holdsMax: 2 });
    const alice = await bearer('alice-limits');
    const hold = (seatId: string) =>
      gateway.inject({
        method: 'POST',
        url: '/api/holds',
        headers: { ...alice, 'content-type': 'application/json' },
        payload: JSON.stringify({ eventId: 'ev-limits', seatIds: [seatId] }),
      });
    const statuses = [];
    for (const seat of ['ORCH-A-1', 'ORCH-A-2', 'ORCH-A-3']) statuses.push((await hold(seat)).statusCode);
    expect(statuses).toEqual([201, 201, 429]);
    // The refused hold never reached booking.
    const seats = (await booking.app.inject({ method: 'GET', url: '/api/availability/ev-limits' })).json().seats as Record<string, string>;
    expect([seats['ORCH-A-1'], seats['ORCH-A-2'], seats['ORCH-A-3']]).toEqual(['HELD', 'HELD', 'AVAILABLE']);
    // Three requests of ten: the caller's other routes are not limited yet.
    expect((await gateway.inject({ method: 'GET', url: '/api/orders', headers: alice })).statusCode).toBe(200);
    expect((await gateway.inject({ method: 'GET', url: '/api/availability/ev-limits', headers: alice })).statusCode).toBe(200);
    expect((await hold('ORCH-A-4')).statusCode).toBe(429);
  });

  it('counts only placing holds against the holds limit: reading a hold of one\'s own does not', async () => {
    const gateway = await gatewayWith({ max: 10, windowMs: 60_000, holdsMax: 2 });
    const bea = await bearer('bea-limits');
    const placed = await gateway.inject({
      method: 'POST',
      url: '/api/holds',
      headers: { ...bea, 'content-type': 'application/json' },
      payload: JSON.stringify({ eventId: 'ev-limits', seatIds: ['ORCH-B-1'] }),
    });
    expect(placed.statusCode).toBe(201);
    // A page watching its hold: more reads than the holds limit allows placings.
    for (let i = 0; i < 4; i++) {
      expect((await gateway.inject({ method: 'GET', url: `/api/holds/${String(placed.json().holdId)}`, headers: bea })).statusCode).toBe(200);
    }
    const second = await gateway.inject({
      method: 'POST',
      url: '/api/holds',
      headers: { ...bea, 'content-type': 'application/json' },
      payload: JSON.stringify({ eventId: 'ev-limits', seatIds: ['ORCH-B-2'] }),
    });
    expect(second.statusCode).toBe(201);
    // Reads have a limit too: the general one, on a counter of their own (10 here).
    const reads = [];
    for (let i = 0; i < 7; i++) reads.push((await gateway.inject({ method: 'GET', url: `/api/holds/${String(placed.json().holdId)}`, headers: bea })).statusCode);
    expect(reads).toEqual([200, 200, 200, 200, 200, 200, 429]);
  });

  it('counts an anonymous IPv6 caller by its /64, whatever address of it each request comes from', async () => {
    const gateway = await gatewayWith({ max: 3, windowMs: 60_000, holdsMax: 3 });
    const from = async (remoteAddress: string) => (await gateway.inject({ method: 'GET', url: '/api/availability/ev-limits', remoteAddress })).statusCode;
    const rotating = [];
    for (let i = 1; i <= 5; i++) rotating.push(await from(`2001:db8:aa:1::${i.toString(16)}`));
    // Thirty addresses of one /64 had been thirty callers, each with a limit of its own.
    expect(rotating).toEqual([200, 200, 200, 429, 429]);
    // Another subscriber's /64 has its own count.
    expect(await from('2001:db8:aa:2::1')).toBe(200);
  });

  it('counts separately in each gateway without Redis', async () => {
    const limits = { max: 3, windowMs: 60_000, holdsMax: 3 };
    const pair = [await gatewayWith(limits), await gatewayWith(limits)];
    expect(await alternate(pair, 'carol-memory', 6)).toEqual([200, 200, 200, 200, 200, 200]);
    // Each gateway's own limit still holds.
    expect(await alternate(pair, 'carol-memory', 2)).toEqual([429, 429]);
  });

  it('keeps limiting, in memory, while Redis cannot be asked', async () => {
    // Nothing listens on port 1: every command fails at once, as main.ts's connection does in an outage.
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      const gateway = await gatewayWith({ max: 3, windowMs: 60_000, holdsMax: 3, redis: down });
      // With the failure skipped alone, every request had passed.
      expect(await alternate([gateway], 'erin-outage', 5)).toEqual([200, 200, 200, 429, 429]);
    } finally {
      down.disconnect();
    }
  });

  describe.runIf(redisUrl)('with Redis', () => {
    /** This run's keys only, so that runs (and other users of the Redis) do not share counters. */
    const prefix = `stream-seat-test:${randomUUID()}:`;
    const connections: Redis[] = [];

    /** A connection as main.ts makes it (no offline queue, a command timeout), once it is ready to count. */
    async function redis(url = redisUrl ?? ''): Promise<Redis> {
      const connection = new Redis(url, { ...RATE_LIMIT_REDIS_OPTIONS, keyPrefix: prefix });
      connection.on('error', () => undefined);
      connections.push(connection);
      await once(connection, 'ready');
      return connection;
    }

    afterAll(async () => {
      const admin = new Redis(redisUrl ?? '');
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
      for (const connection of connections) connection.disconnect();
    });

    it('keeps limiting, in memory, while Redis hangs rather than refuses', async () => {
      // Between the gateway and Redis, a gate that holds the gateway's commands: Redis never answers.
      const gate = await startTcpGate(redisUrl ?? '');
      try {
        const hanging = await redis(gate.url);
        const gateway = await gatewayWith({ max: 3, windowMs: 60_000, holdsMax: 3, redis: hanging });
        expect(await alternate([gateway], 'fay-hang', 1)).toEqual([200]);
        gate.hold();
        // Each request waits out the command timeout, then counts in this gateway's memory, from
        // zero; before, each one waited for Redis for good.
        expect(await alternate([gateway], 'fay-hang', 4)).toEqual([200, 200, 200, 429]);
      } finally {
        gate.release();
        await gate.close();
      }
    });

    it('counts a caller across gateways that share one Redis', async () => {
      const pair = [
        await gatewayWith({ max: 3, windowMs: 60_000, holdsMax: 3, redis: await redis() }),
        await gatewayWith({ max: 3, windowMs: 60_000, holdsMax: 3, redis: await redis() }),
      ];
      expect(await alternate(pair, 'dave-shared', 5)).toEqual([200, 200, 200, 429, 429]);
      // The counter lives in Redis, under this run's prefix.
      const admin = new Redis(redisUrl ?? '');
      try {
        expect((await admin.keys(`${prefix}*`)).some((key) => key.endsWith('sub:dave-shared'))).toBe(true);
      } finally {
        await admin.quit();
      }
    });
  });
});
