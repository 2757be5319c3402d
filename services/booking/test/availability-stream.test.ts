/**
 * Live availability over real HTTP: a snapshot then numbered changes; resumption from
 * Last-Event-ID (from the ring, from the change log, or a fresh snapshot when too far behind);
 * a change missed by the bus repaired from the database; a client that does not read dropped;
 * the stream's metrics at /metrics; and, with REDIS_URL, a change made on one instance seen by a
 * client of another, even one made while this instance's subscription was on its way to Redis.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDialects } from '@stream-seat/db';
import type { App } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '../../../tests/support/free-port.js';
import { openSse, type SseClient } from '../../../tests/support/sse-client.js';
import { createRedisSeatChangeBus } from '../src/live/redis-seat-change-bus.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';
import { startTcpGate, type TcpGate } from '../../../tests/support/tcp-gate.js';

async function listen(app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

/** One sample of the app's /metrics (Prometheus text): the first whose labels include `labels`; 0 when absent. */
async function metric(app: App, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  for (const line of text.split('\n')) {
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!sample || sample[1] !== name) continue;
    const has = new Map([...(sample[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => has.get(k) === v)) return Number(sample[3]);
  }
  return 0;
}

/** The live stream's metrics that the tests follow. */
const streamMetrics = async (app: App) => ({
  snapshots: await metric(app, 'availability_stream_events_sent_total', { kind: 'snapshot' }),
  changes: await metric(app, 'availability_stream_events_sent_total', { kind: 'change' }),
  clients: await metric(app, 'availability_stream_clients'),
  slowDrops: await metric(app, 'availability_stream_drops_total', { reason: 'slow-client' }),
  lagCount: await metric(app, 'availability_change_delivery_lag_seconds_count'),
  lagSum: await metric(app, 'availability_change_delivery_lag_seconds_sum'),
  lagUpTo2_5s: await metric(app, 'availability_change_delivery_lag_seconds_bucket', { le: '2.5' }),
});
const moved = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));

type Change = { seq: number; changes: Array<{ seatId: string; status: string }> };
const changeSeqs = (client: SseClient) => client.events.filter((e) => e.event === 'change').map((e) => (e.data as Change).seq);

describe.each(testDialects())('the availability stream on %s', (dialect) => {
  let a: BookingTestApp;
  let b: BookingTestApp;
  let urlA: string;
  let catalogue: InMemoryCatalogue;
  const clients: SseClient[] = [];
  let n = 0;

  const newEvent = () => {
    const { event, map } = hallEvent(`live${++n}-${dialect}-${randomBytes(2).toString('hex')}`);
    catalogue.put(event, map);
    return event.id;
  };
  const hold = async (t: BookingTestApp, eventId: string, seatId: string, buyer = `buyer-${seatId}`) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/holds', headers: await t.auth(buyer), payload: { eventId, seatIds: [seatId] } });
    expect(res.statusCode).toBe(201);
  };
  const stream = async (base: string, eventId: string, lastEventId?: number) => {
    const client = await openSse(`${base}/api/availability/${eventId}/stream`, lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    // Two instances on one database, each with its own in-process bus: B's changes never reach
    // A's bus, as if the message were lost, so A must repair from the change log.
    a = await createBookingTestApp(dialect, { catalogue, settings: { streamMaxReplay: 5, streamRingSize: 3, streamCatchUpMs: 0 } });
    b = await createBookingTestApp(dialect, { catalogue, databaseUrl: a.databaseUrl });
    urlA = await listen(a.app);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await b.close();
    await a.close();
  });

  it('sends a snapshot, then each change with its seq as the event id, and counts them at /metrics', async () => {
    const eventId = newEvent();
    const before = await streamMetrics(a.app);
    const client = await stream(urlA, eventId);
    const snapshot = await client.next((e) => e.event === 'snapshot');
    const { seq, seats } = snapshot.data as { seq: number; seats: Record<string, string> };
    expect(snapshot.id).toBe(String(seq));
    expect(seats['ORCH-A-1']).toBe('AVAILABLE');
    await hold(a, eventId, 'ORCH-A-1');
    const change = await client.next((e) => e.event === 'change');
    expect(change.id).toBe(String(seq + 1));
    expect(change.data).toMatchObject({ seq: seq + 1, changes: [{ seatId: 'ORCH-A-1', status: 'HELD' }] });
    // Counted when written, so before the client could read it: one of each, one lag observed.
    expect(moved(before, await streamMetrics(a.app))).toMatchObject({ snapshots: 1, changes: 1, clients: 1, slowDrops: 0, lagCount: 1 });
  });

  it('tells watchers of a cancellation before the seats it frees, and says so in every later snapshot', async () => {
    const eventId = newEvent();
    const watcher = await stream(urlA, eventId);
    const { seq } = (await watcher.next((e) => e.event === 'snapshot')).data as { seq: number; cancelled: boolean };
    await hold(a, eventId, 'ORCH-B-1');
    await hold(a, eventId, 'ORCH-B-2');
    await watcher.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 2);

    catalogue.update(eventId, { status: 'CANCELLED' });
    const message = { id: `cancel-${eventId}`, type: 'event.cancelled', eventId, occurredAt: new Date(a.now()).toISOString() };
    const res = await a.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: a.internal, payload: message });
    expect(res.json()).toMatchObject({ outcome: 'processed' });
    // The cancellation is a numbered change of its own, before the two holds it ended.
    const cancelled = await watcher.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 3);
    expect(cancelled.data).toMatchObject({ seq: seq + 3, changes: [], cancelled: true });
    const freed = await watcher.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 5);
    expect(changeSeqs(watcher)).toEqual([seq + 1, seq + 2, seq + 3, seq + 4, seq + 5]);
    expect(freed.data).not.toHaveProperty('cancelled');

    // Both instances say so in availability and in a new stream's snapshot...
    for (const t of [a, b]) {
      const availability = (await t.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).json();
      expect(availability).toMatchObject({ seq: seq + 5, cancelled: true });
    }
    const later = await stream(urlA, eventId);
    expect((await later.next((e) => e.event === 'snapshot')).data).toMatchObject({ seq: seq + 5, cancelled: true });
    // ...and a client resuming from before hears it, replayed from the change log by the other instance.
    const urlB = await listen(b.app);
    const resumed = await stream(urlB, eventId, seq + 2);
    expect((await resumed.next((e) => e.event === 'change')).data).toMatchObject({ seq: seq + 3, changes: [], cancelled: true });
    // An event open for sale says it is not cancelled.
    const open = (await a.app.inject({ method: 'GET', url: `/api/availability/${newEvent()}` })).json();
    expect(open.cancelled).toBe(false);
  });

  it('resumes from Last-Event-ID with exactly the missed changes, in order', async () => {
    const eventId = newEvent();
    const first = await stream(urlA, eventId);
    const { seq } = (await first.next((e) => e.event === 'snapshot')).data as { seq: number };
    const watcher = await stream(urlA, eventId); // keeps the event's sequencer (and its ring) alive
    await watcher.next((e) => e.event === 'snapshot');
    first.close();
    for (const seat of ['ORCH-B-1', 'ORCH-B-2', 'ORCH-B-3']) await hold(a, eventId, seat);
    await watcher.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 3);

    const resumed = await stream(urlA, eventId, seq);
    await resumed.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 3);
    await hold(a, eventId, 'ORCH-B-4');
    await resumed.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 4);
    expect(resumed.events.some((e) => e.event === 'snapshot')).toBe(false);
    expect(changeSeqs(resumed)).toEqual([seq + 1, seq + 2, seq + 3, seq + 4]);

    // One change back is beyond the 3-batch ring but within the replay limit: read from the log.
    const fromLog = await stream(urlA, eventId, seq);
    await fromLog.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 4);
    expect(changeSeqs(fromLog)).toEqual([seq + 1, seq + 2, seq + 3, seq + 4]);
  });

  it('takes a blank or malformed Last-Event-ID as none (a snapshot), and refuses HEAD', async () => {
    const eventId = newEvent();
    await hold(a, eventId, 'ORCH-D-1');
    for (const [query, headers] of [['', { 'last-event-id': '' }], ['', { 'last-event-id': '  ' }], ['?lastEventId=', {}], ['?lastEventId=1e3', {}]] as const) {
      const client = await openSse(`${urlA}/api/availability/${eventId}/stream${query}`, headers);
      clients.push(client);
      const first = await client.next(() => true);
      expect(first.event, `${query} ${JSON.stringify(headers)}`).toBe('snapshot');
    }
    // A query parameter the stream does not know is a 400 naming it, as on every other route.
    const unknown = await fetch(`${urlA}/api/availability/${eventId}/stream?foo=1`, { signal: AbortSignal.timeout(5_000) });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { errors: unknown[] }).errors).toEqual([{ field: 'querystring.foo', message: 'is not a known field' }]);
    const head = await fetch(`${urlA}/api/availability/${eventId}/stream`, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
    // Every other method hears the same: GET only (HEAD is not served either).
    for (const method of ['POST', 'DELETE', 'OPTIONS']) {
      const res = await fetch(`${urlA}/api/availability/${eventId}/stream`, { method, signal: AbortSignal.timeout(5_000) });
      expect([method, res.status, res.headers.get('allow')]).toEqual([method, 405, 'GET']);
    }
  });

  it('sends a fresh snapshot to a client too far behind, or with an id from the future', async () => {
    const eventId = newEvent();
    const before = await streamMetrics(a.app);
    const watcher = await stream(urlA, eventId);
    const { seq } = (await watcher.next((e) => e.event === 'snapshot')).data as { seq: number };
    for (let i = 1; i <= 6; i++) await hold(a, eventId, `ORCH-C-${i}`);
    await watcher.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 6);
    for (const lastEventId of [seq, seq + 1000]) {
      const behind = await stream(urlA, eventId, lastEventId);
      const snapshot = await behind.next((e) => e.event === 'snapshot');
      expect((snapshot.data as { seq: number }).seq).toBe(seq + 6);
      expect(changeSeqs(behind)).toEqual([]);
    }
    expect(moved(before, await streamMetrics(a.app))).toMatchObject({ snapshots: 3, changes: 6, clients: 3, lagCount: 6 });
  });

  it('drops a client that does not read once its unsent bytes pass the bound, and counts the drop at /metrics', async () => {
    // A Unix socket: its kernel buffers (about 200 KB) do not grow like loopback TCP's (MBs), so a
    // snapshot of some 16,000 seats is enough to leave bytes unsent for a client that never reads.
    const path = join(tmpdir(), `booking-slow-${randomBytes(4).toString('hex')}.sock`);
    const slow = await createBookingTestApp(dialect, { catalogue, databaseUrl: a.databaseUrl, settings: { streamMaxBufferedBytes: 16 * 1024 } });
    try {
      await slow.app.listen({ path });
      const { event, map } = hallEvent(`slow-${dialect}-${randomBytes(2).toString('hex')}`, { rows: 160, seatsPerRow: 100, floor: 0 });
      catalogue.put(event, map);
      const before = await streamMetrics(slow.app);
      // The server's end of the connection: its closing is the drop, whatever the client reads.
      const dropped = new Promise<void>((resolve) => slow.app.server.once('connection', (socket: Socket) => socket.once('close', () => resolve())));
      const client = connect(path);
      client.on('error', () => undefined);
      try {
        client.write(`GET /api/availability/${event.id}/stream HTTP/1.1\r\nHost: booking\r\nAccept: text/event-stream\r\n\r\n`);
        // Read until the snapshot has begun (it is written in one piece), then never again.
        let head = '';
        await new Promise<void>((resolve) => {
          const read = (chunk: Buffer) => {
            head += chunk.toString('latin1');
            if (!head.includes('event: snapshot')) return;
            client.pause();
            client.off('data', read);
            resolve();
          };
          client.on('data', read);
        });
        expect(head).toMatch(/^HTTP\/1\.1 200/);
        // The snapshot is written: this change comes after it, and finds the client's buffer full.
        await hold(slow, event.id, 'ORCH-A-1');
        await dropped;
        expect(moved(before, await streamMetrics(slow.app))).toMatchObject({ slowDrops: 1, clients: 0, snapshots: 1, changes: 0 });
      } finally {
        client.destroy();
      }
    } finally {
      await slow.close();
    }
  }, 30_000);

  it('resumes a client from a change this instance has not heard of yet, reading the database instead of sending a snapshot', async () => {
    const eventId = newEvent();
    const watcher = await stream(urlA, eventId);
    const { seq } = (await watcher.next((e) => e.event === 'snapshot')).data as { seq: number };
    // Two holds on B, whose bus never reaches A: the client saw the first one elsewhere (another
    // instance, a gateway's shared stream) and now resumes on A.
    await hold(b, eventId, 'ORCH-A-5');
    await hold(b, eventId, 'ORCH-A-6');
    const resumed = await stream(urlA, eventId, seq + 1);
    const next = await resumed.next((e) => e.event === 'change' || e.event === 'snapshot');
    expect(next.event).toBe('change');
    expect(changeSeqs(resumed)).toEqual([seq + 2]);
    expect((next.data as Change).changes).toEqual([{ seatId: 'ORCH-A-6', status: 'HELD' }]);
  });

  it('repairs a change that never reached this instance from the database, in order', async () => {
    const eventId = newEvent();
    const client = await stream(urlA, eventId);
    const { seq } = (await client.next((e) => e.event === 'snapshot')).data as { seq: number };
    await hold(b, eventId, 'ORCH-D-1'); // published only on B's bus: lost for A
    await hold(a, eventId, 'ORCH-D-2'); // A sees seq + 2, detects the gap, reads seq + 1 back
    await client.next((e) => e.event === 'change' && (e.data as Change).seq === seq + 2);
    expect(changeSeqs(client)).toEqual([seq + 1, seq + 2]);
    const repaired = client.events.find((e) => e.id === String(seq + 1))?.data as Change & { committedAt?: number };
    expect(repaired.changes).toEqual([{ seatId: 'ORCH-D-1', status: 'HELD' }]);
    // Read back from the log, it still says when it was written, so its lag is measured too.
    expect(repaired.committedAt).toBeGreaterThan(0);
    expect(repaired.committedAt).toBeLessThanOrEqual(a.now());
  });
});

describe.runIf(process.env['REDIS_URL'])('the availability stream across instances through Redis', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  let a: BookingTestApp;
  let b: BookingTestApp;
  let urlA: string;
  /** A's way to Redis, which a test can hold shut. */
  let gate: TcpGate;
  const catalogue = createInMemoryCatalogue();
  const newEvent = () => {
    const { event, map } = hallEvent(`redis-${randomBytes(3).toString('hex')}`);
    catalogue.put(event, map);
    return event.id;
  };
  const holdOnB = async (eventId: string, seatId: string) => {
    const res = await b.app.inject({ method: 'POST', url: '/api/holds', headers: await b.auth(`bea-${seatId}`), payload: { eventId, seatIds: [seatId] } });
    expect(res.statusCode).toBe(201);
  };

  beforeAll(async () => {
    const redisUrl = process.env['REDIS_URL'] ?? '';
    gate = await startTcpGate(redisUrl);
    // No periodic catch-up on A: a change its subscription misses would stay missed.
    a = await createBookingTestApp('sqlite', { catalogue, bus: createRedisSeatChangeBus({ url: gate.url, prefix }), settings: { streamCatchUpMs: 0 } });
    b = await createBookingTestApp('sqlite', { catalogue, databaseUrl: a.databaseUrl, bus: createRedisSeatChangeBus({ url: redisUrl, prefix }) });
    urlA = await listen(a.app);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await gate?.close();
  });

  it('shows a client of instance A a hold made on instance B, and measures its lag from B’s commit', async () => {
    const eventId = newEvent();
    const client = await openSse(`${urlA}/api/availability/${eventId}/stream`);
    try {
      // The snapshot comes once A's subscription is live: B's change, made after it, reaches A.
      const { seq } = (await client.next((e) => e.event === 'snapshot')).data as { seq: number };
      const before = await streamMetrics(a.app);
      // B's clock is 5 s behind A's: the lag A measures is from B's commit, not from A's receipt.
      b.advance(-5_000);
      try {
        await holdOnB(eventId, 'ORCH-A-5');
      } finally {
        b.advance(5_000);
      }
      const change = await client.next((e) => e.event === 'change');
      expect(change.data).toMatchObject({ seq: seq + 1, changes: [{ seatId: 'ORCH-A-5', status: 'HELD' }] });
      const lag = moved(before, await streamMetrics(a.app));
      expect(lag).toMatchObject({ changes: 1, lagCount: 1, lagUpTo2_5s: 0 });
      expect(lag['lagSum']).toBeGreaterThanOrEqual(5);
    } finally {
      client.close();
    }
  });

  /**
   * Opens A's stream of a new event while A's SUBSCRIBE to it is held back at the gate (until
   * `gate.release()`). The inventory exists first, so that the stream's start waits on the
   * subscription only.
   */
  async function openWithSubscribeHeld(eventId: string): Promise<{ opening: Promise<SseClient> }> {
    expect((await a.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).statusCode).toBe(200);
    gate.hold();
    const opening = openSse(`${urlA}/api/availability/${eventId}/stream`);
    await gate.received(`${prefix}${eventId}`);
    return { opening };
  }

  it('does not lose a change made on B while A’s subscription is on its way to Redis', async () => {
    const eventId = newEvent();
    let client: SseClient | undefined;
    try {
      const { opening } = await openWithSubscribeHeld(eventId);
      await holdOnB(eventId, 'ORCH-A-7'); // published while Redis knows no subscriber on A
      gate.release();
      client = await opening;
      const seen = await client.next(
        (e) =>
          (e.event === 'snapshot' && (e.data as { seats: Record<string, string> }).seats['ORCH-A-7'] === 'HELD') ||
          (e.event === 'change' && (e.data as Change).changes.some((c) => c.seatId === 'ORCH-A-7')),
      );
      expect(seen.event).toBe('snapshot');
    } finally {
      gate.release();
      client?.close();
    }
  });

  it('opens the stream anyway when Redis never confirms the subscription (a silent Redis stalls nobody)', async () => {
    const eventId = newEvent();
    let client: SseClient | undefined;
    try {
      client = await (await openWithSubscribeHeld(eventId)).opening; // its SUBSCRIBE is never let through
      const first = await client.next((e) => e.event === 'snapshot');
      expect(first.event).toBe('snapshot');
    } finally {
      gate.release();
      client?.close();
    }
  }, 15_000);
});

describe('a booking instance whose Redis is away', () => {
  it('serves, and its /ready stays UP with a note that changes of other instances come through the database', async () => {
    // A port nothing listens on: Redis refused at every try.
    const app = await createBookingTestApp('sqlite', { catalogue: createInMemoryCatalogue(), bus: createRedisSeatChangeBus({ url: `redis://127.0.0.1:${await freePort()}` }) });
    try {
      // Connecting first, then refused: said as such, and UP all along.
      await eventually(
        async () => {
          const ready = await app.app.inject({ method: 'GET', url: '/ready' });
          expect(ready.statusCode).toBe(200);
          return /^UP: Redis unreachable/.test(ready.json().checks['seat-change-bus']) ? true : undefined;
        },
        5_000,
        '/ready to say Redis is unreachable',
      );
    } finally {
      await app.close();
    }
  });
});
