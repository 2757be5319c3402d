/**
 * Live availability end to end (runs when REDIS_URL is set; CI sets it): one gateway, two
 * booking processes linked through Redis. A client streaming from instance A sees a hold made
 * through instance B; a client streaming through the gateway gets the same changes unbuffered,
 * resumes after a forced disconnect with Last-Event-ID and receives every missed change once and
 * in order; a client that goes away is let go by the booking instance behind the gateway. The
 * gateway shares one upstream stream per event among its clients: they all get the snapshot and
 * every change in order, a late joiner catches up from the shared ring, a resuming client gets
 * exactly what it missed, and the stream survives the loss of the booking instance behind it.
 * A second gateway with the sharing off (STREAM_FANOUT=false) relays each client on its own
 * upstream stream, more of them per booking instance than its bounded connection pool holds.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminate, waitUntilRoutable } from '../../scripts/platform-launcher.js';
import { eventually, freePort } from '../support/free-port.js';
import { openSse, type SseClient, type SseEvent } from '../support/sse-client.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

const redisUrl = process.env['REDIS_URL'];

type Change = { seq: number; changes: Array<{ seatId: string; status: string }> };
const isChange = (seq: number) => (e: SseEvent) => e.event === 'change' && (e.data as Change).seq === seq;
const seatsOf = (e: SseEvent) => (e.event === 'change' ? (e.data as Change).changes.map((c) => c.seatId) : []);
const changeSeqs = (client: SseClient) => client.events.filter((e) => e.event === 'change').map((e) => (e.data as Change).seq);
/** Booking's Redis channel of an event's changes (redis-seat-change-bus.ts, default prefix). */
const changeChannel = (eventId: string) => `stream-seat:seat-changes:${eventId}`;
/** The gateway's connection pool per upstream instance for everything but streams (proxy.routes.ts). */
const BOUNDED_POOL_CONNECTIONS = 128;

/** Rejects when the promise has not settled in time: a hang fails with a message (not a speed check). */
async function settledWithin<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

describe.runIf(redisUrl)('live availability across booking instances', () => {
  let test: TestPlatform;
  let bookingB: string;
  let bookingBProcess: ChildProcess;
  let eventId: string;
  let redis: Redis;
  const clients: SseClient[] = [];

  const holdOn = async (base: string, seatId: string) => {
    const buyer = await test.tokenFor(`buyer-${seatId}`);
    const res = await fetch(`${base}/api/holds`, {
      method: 'POST',
      headers: { ...buyer, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId, seatIds: [seatId] }),
    });
    expect(res.status).toBe(201);
  };
  /** As a browser's EventSource asks (gzip accepted) when `browserLike`. */
  const streamFrom = async (base: string, lastEventId?: number, browserLike = false) => {
    const headers = {
      ...(browserLike ? { 'accept-encoding': 'gzip, deflate, br, zstd' } : {}),
      ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }),
    };
    const client = await openSse(`${base}/api/availability/${eventId}/stream`, headers);
    clients.push(client);
    return client;
  };
  const connectedClients = async (base: string) => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    return Number(/^availability_stream_clients\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? Number.NaN);
  };
  const gatewayMetric = async (name: string) => {
    const metrics = await (await fetch(`${test.gateway}/metrics`)).text();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(metrics)?.[1] ?? Number.NaN);
  };
  /** Closes every stream the tests opened, and waits until neither the gateway nor booking holds one. */
  const closeAll = async () => {
    for (const client of clients.splice(0)) client.close();
    await eventually(async () => ((await gatewayMetric('gateway_stream_channels')) === 0 ? true : undefined), 5_000, 'the shared streams to close');
    await eventually(async () => ((await totalClients()) === 0 ? true : undefined), 5_000, 'booking to let go of every stream');
  };
  /** Every seat's state after a client applied its snapshot and changes, in order. */
  const stateOf = (client: SseClient) => {
    const seats: Record<string, string> = {};
    let seq = -1;
    for (const e of client.events) {
      if (e.event === 'snapshot') {
        Object.assign(seats, (e.data as { seats: Record<string, string> }).seats);
        seq = (e.data as { seq: number }).seq;
      } else if (e.event === 'change') {
        const change = e.data as Change;
        expect(change.seq).toBe(seq + 1);
        seq = change.seq;
        for (const c of change.changes) seats[c.seatId] = c.status;
      }
    }
    return { seats, seq };
  };
  /** Live stream clients on each booking instance, from their /metrics. */
  const clientsPerInstance = async () => Promise.all([test.platform.urls.booking, bookingB].map(connectedClients));
  const totalClients = async () => (await clientsPerInstance()).reduce((a, b) => a + b, 0);
  /**
   * Resolves once each booking instance that streams the event is subscribed to its changes in
   * Redis. A stream's snapshot can arrive before its instance's SUBSCRIBE has reached Redis (it is
   * sent asynchronously), and a change published before then would never reach that instance.
   */
  const subscribedInRedis = () =>
    eventually(
      async () => {
        const streaming = (await clientsPerInstance()).filter((n) => n > 0).length;
        const [, subscribers] = (await redis.pubsub('NUMSUB', changeChannel(eventId))) as [string, number];
        return streaming > 0 && Number(subscribers) === streaming ? true : undefined;
      },
      5_000,
      'the streaming booking instances to subscribe to the event in Redis',
    );

  beforeAll(async () => {
    redis = new Redis(redisUrl ?? '');
    // Every client here is 127.0.0.1, one address holding hundreds of streams (the relaying gateway's
    // test): the gateways' cap on streams per client address (STREAMS_PER_CLIENT) must not apply.
    test = await startTestPlatform({ name: 'live', env: { REDIS_URL: redisUrl, STREAM_CATCH_UP_MS: '60000', STREAMS_PER_CLIENT: '1000000' } });
    const portB = await freePort();
    bookingB = `http://127.0.0.1:${portB}`;
    bookingBProcess = test.platform.startExtraInstance('booking', portB);
    await eventually(async () => ((await fetch(`${bookingB}/ready`)).status === 200 ? true : undefined), 30_000, 'booking B');

    const organizer = await test.tokenFor('olga', 'organizer');
    const layout = { name: 'Live Hall', sections: [{ id: 'MAIN', name: 'Main', tier: 'A', rows: [{ label: 'A', seats: 20 }] }] };
    const startsAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    ({ eventId } = await test.putOnSale(organizer, layout, { name: 'Live', startsAt, prices: { A: 3000 } }));
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await test?.stop();
    await redis?.quit();
  });

  it('shows a client of instance A a hold made through instance B', async () => {
    const onA = await streamFrom(test.platform.urls.booking);
    const { seq } = (await onA.next((e) => e.event === 'snapshot', 10_000)).data as { seq: number };
    await subscribedInRedis();
    await holdOn(bookingB, 'MAIN-A-1');
    // Only Redis can bring it: A's catch-up from the database runs once a minute here (STREAM_CATCH_UP_MS).
    const change = await onA.next(isChange(seq + 1));
    expect((change.data as Change).changes).toEqual([{ seatId: 'MAIN-A-1', status: 'HELD' }]);
  });

  it('streams through the gateway and resumes after a forced disconnect without loss or repeats', async () => {
    const viaGateway = await streamFrom(test.gateway);
    expect(viaGateway.headers['content-type']).toMatch(/^text\/event-stream/);
    await viaGateway.next((e) => e.event === 'snapshot', 10_000);
    await subscribedInRedis();
    await holdOn(bookingB, 'MAIN-A-2');
    await holdOn(test.platform.urls.booking, 'MAIN-A-3');
    const seen = await viaGateway.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-3'), 5_000);
    const lastSeen = Number(seen.id);
    viaGateway.close();

    for (const seat of ['MAIN-A-4', 'MAIN-A-5', 'MAIN-A-6']) await holdOn(bookingB, seat);
    const resumed = await streamFrom(test.gateway, lastSeen);
    await resumed.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-6'), 5_000);
    expect(resumed.events.some((e) => e.event === 'snapshot')).toBe(false);
    // Exactly the three missed changes, once each, in order, numbered right after the last seen.
    expect(changeSeqs(resumed)).toEqual([lastSeen + 1, lastSeen + 2, lastSeen + 3]);
    expect(resumed.events.flatMap(seatsOf)).toEqual(['MAIN-A-4', 'MAIN-A-5', 'MAIN-A-6']);
    // And the first stream's changes were strictly increasing with no repeat.
    const first = changeSeqs(viaGateway);
    expect(first).toEqual([...new Set(first)].sort((a, b) => a - b));
    // A resume position given twice is refused as booking refuses it, not read as the first.
    const twice = await fetch(`${test.gateway}/api/availability/${eventId}/stream?lastEventId=1&lastEventId=2`);
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['querystring.lastEventId']);
  });

  it('relays each client on its own upstream stream (fan-out off), more per booking instance than a bounded connection pool holds', async () => {
    // A gateway like the first, but relaying every client's stream on a connection of its own.
    const relayPort = await freePort();
    const relay = `http://127.0.0.1:${relayPort}`;
    const relayProcess = test.platform.startExtraInstance('gateway', relayPort, { STREAM_FANOUT: 'false' });
    const audience: SseClient[] = [];
    try {
      await waitUntilRoutable(relay, 60_000);
      // Round-robin over both booking instances once its registry view lists them.
      await eventually(
        async () => {
          const routes = (await (await fetch(`${relay}/gateway/routes`)).json()) as Array<{ id: string; instances: string[] }>;
          return routes.find((r) => r.id === 'availability-stream')?.instances.length === 2 ? true : undefined;
        },
        15_000,
        'the relaying gateway to see both booking instances',
      );
      const before = await clientsPerInstance();
      const count = 2 * BOUNDED_POOL_CONNECTIONS + 44;
      // A stream queued behind a full pool never gets its answer: bounded, so that it fails here.
      // Every other one gzip-coded by booking, its bytes relayed as they are.
      const snapshots = Array.from({ length: count }, async (_, i) => {
        const client = await streamFrom(relay, undefined, i % 2 === 0);
        audience.push(client);
        return client.next((e) => e.event === 'snapshot', 30_000);
      });
      await settledWithin(Promise.all(snapshots), 30_000, `${count} snapshots through the relaying gateway`);
      expect(audience.filter((client) => client.headers['content-encoding'] === 'gzip')).toHaveLength(count / 2);
      // Booking counts a stream before it sends the snapshot: every client has its own by now.
      const added = (await clientsPerInstance()).map((n, i) => n - (before[i] ?? 0));
      expect(added.reduce((a, b) => a + b, 0)).toBe(count);
      // More streams on one instance than a pool of BOUNDED_POOL_CONNECTIONS would let through.
      expect(Math.max(...added)).toBeGreaterThan(BOUNDED_POOL_CONNECTIONS);
      for (const client of audience) client.close();
      await eventually(async () => ((await totalClients()) === before.reduce((a, b) => a + b, 0) ? true : undefined), 10_000, 'the disconnects to reach booking');
    } finally {
      for (const client of audience) client.close();
      // Streams still queued in it end with it.
      await terminate([relayProcess]);
    }
  }, 120_000);

  it('lets go of a client that disconnected from the gateway', async () => {
    // Alone on its event's shared stream: its leaving must close the stream on booking.
    await closeAll();
    const before = await totalClients();
    const client = await streamFrom(test.gateway);
    await client.next((e) => e.event === 'snapshot', 10_000);
    await eventually(async () => ((await totalClients()) === before + 1 ? true : undefined), 5_000, 'the booking instances to count the new client');
    client.close();
    await eventually(async () => ((await totalClients()) === before ? true : undefined), 5_000, 'the disconnect to reach the booking instance');
  });

  it('shares one upstream stream among the gateway clients of an event, each getting the snapshot and every change in order', async () => {
    await closeAll();
    // Half of them as browsers ask: gzip, each frame deflated once by the gateway for all of them.
    const audience = await Promise.all(Array.from({ length: 20 }, (_, i) => streamFrom(test.gateway, undefined, i % 2 === 0)));
    expect(audience.map((client) => client.headers['content-encoding'] ?? 'identity').sort()).toEqual([
      ...Array<string>(10).fill('gzip'),
      ...Array<string>(10).fill('identity'),
    ]);
    for (const client of audience) expect(String(client.headers['vary']).toLowerCase()).toContain('accept-encoding');
    await Promise.all(audience.map((client) => client.next((e) => e.event === 'snapshot', 10_000)));
    // Twenty watchers, one stream on the booking side.
    await eventually(async () => ((await totalClients()) === 1 ? true : undefined), 5_000, 'booking to see one shared stream');
    expect(await gatewayMetric('gateway_stream_shared_clients')).toBe(20);
    expect(await gatewayMetric('gateway_stream_channels')).toBe(1);

    await holdOn(bookingB, 'MAIN-A-10');
    await holdOn(test.platform.urls.booking, 'MAIN-A-11');
    await Promise.all(audience.map((client) => client.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-11'), 5_000)));
    // A late joiner gets a snapshot and the changes after it from the shared stream.
    const late = await streamFrom(test.gateway, undefined, true);
    await late.next((e) => e.event === 'snapshot', 5_000);
    await holdOn(bookingB, 'MAIN-A-12');
    for (const client of [...audience, late]) await client.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-12'), 5_000);

    // Every client's snapshot plus changes (checked consecutive in stateOf) is the service's state.
    const truth = (await (await fetch(`${test.gateway}/api/availability/${eventId}`)).json()) as { seq: number; seats: Record<string, string> };
    for (const client of [...audience, late]) expect(stateOf(client)).toEqual({ seats: truth.seats, seq: truth.seq });
    expect(await totalClients()).toBe(1);

    // A blank Last-Event-ID is no resume point: the shared stream's snapshot, not a relay of its own.
    const blank = await openSse(`${test.gateway}/api/availability/${eventId}/stream`, { 'last-event-id': '' });
    clients.push(blank);
    expect((await blank.next(() => true, 5_000)).event).toBe('snapshot');
    expect(await gatewayMetric('gateway_stream_shared_clients')).toBe(22);
    expect(await totalClients()).toBe(1);
    await closeAll();
  });

  it('resumes a gateway client from the shared stream without asking booking again', async () => {
    await closeAll();
    const anchor = await streamFrom(test.gateway);
    await anchor.next((e) => e.event === 'snapshot', 10_000);
    const leaver = await streamFrom(test.gateway);
    await leaver.next((e) => e.event === 'snapshot', 10_000);
    await holdOn(bookingB, 'MAIN-A-13');
    const seen = await leaver.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-13'), 5_000);
    leaver.close();
    await holdOn(bookingB, 'MAIN-A-14');
    await holdOn(test.platform.urls.booking, 'MAIN-A-15');
    await anchor.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-15'), 5_000);

    const resumed = await streamFrom(test.gateway, Number(seen.id));
    await resumed.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-15'), 5_000);
    expect(resumed.events.some((e) => e.event === 'snapshot')).toBe(false);
    expect(changeSeqs(resumed)).toEqual([Number(seen.id) + 1, Number(seen.id) + 2]);
    expect(resumed.events.flatMap(seatsOf)).toEqual(['MAIN-A-14', 'MAIN-A-15']);
    // Served from the gateway's ring: booking still has one stream.
    expect(await totalClients()).toBe(1);
    await closeAll();
  });

  it('moves the shared stream off a frozen booking instance after three of its missed heartbeats', async () => {
    await closeAll();
    const watcher = await streamFrom(test.gateway);
    await watcher.next((e) => e.event === 'snapshot', 10_000);
    await eventually(async () => ((await totalClients()) === 1 ? true : undefined), 5_000, 'one shared stream');
    const onB = (await connectedClients(bookingB)) === 1;
    const [frozen, survivor] = onB ? [bookingBProcess, test.platform.urls.booking] : [test.platform.processes.get('booking') as ChildProcess, bookingB];
    // Stopped, not killed: its connection stays open and silent, as a frozen process's does.
    frozen.kill('SIGSTOP');
    try {
      await holdOn(survivor, 'MAIN-A-18');
      // The gateway gives up on a silent upstream after STREAM_UPSTREAM_IDLE_MS (15 s: three of
      // booking's 5 s heartbeats) and resumes on the survivor. At 45 s (three of 15 s) the change
      // came after 42 s in a probe: past this bound.
      const change = await watcher.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-18'), 30_000);
      expect((change.data as Change).changes).toEqual([{ seatId: 'MAIN-A-18', status: 'HELD' }]);
      expect(stateOf(watcher).seats['MAIN-A-18']).toBe('HELD');
    } finally {
      frozen.kill('SIGCONT');
    }
    await closeAll();
  }, 60_000);

  it('keeps the shared stream going when the booking instance behind it goes away', async () => {
    await closeAll();
    const watchers = await Promise.all(Array.from({ length: 5 }, () => streamFrom(test.gateway)));
    await Promise.all(watchers.map((client) => client.next((e) => e.event === 'snapshot', 10_000)));
    await eventually(async () => ((await totalClients()) === 1 ? true : undefined), 5_000, 'one shared stream');
    // Kill whichever instance carries it; the other one stays.
    const onB = (await connectedClients(bookingB)) === 1;
    const [victim, survivor] = onB ? [bookingBProcess, test.platform.urls.booking] : [test.platform.processes.get('booking') as ChildProcess, bookingB];
    victim.kill('SIGKILL');
    await holdOn(survivor, 'MAIN-A-16');
    await holdOn(survivor, 'MAIN-A-17');
    for (const client of watchers) {
      await client.next((e) => e.event === 'change' && seatsOf(e).includes('MAIN-A-17'), 15_000);
      // No change lost or repeated across the switch (stateOf checks every seq follows the last).
      expect(stateOf(client).seats['MAIN-A-16']).toBe('HELD');
    }
    expect(await connectedClients(survivor)).toBe(1);
  }, 60_000);
});
