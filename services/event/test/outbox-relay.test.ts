/**
 * The outbox relay against a plain HTTP server standing in for the booking service's endpoint:
 * messages arrive in order, a refused message is sent again until acknowledged, and messages
 * written before a crash are delivered by the next relay.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CatalogueMessage } from '@stream-seat/contracts';
import { testDialects } from '@stream-seat/db';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { forgetExpiredIdempotencyKeys, IDEMPOTENCY_KEYS_KEPT_MS } from '../src/db/idempotency.repository.js';
import { createOutboxRepository } from '../src/db/outbox.repository.js';
import { CATALOGUE_MESSAGES_PATH, createHttpDelivery } from '../src/outbox/booking-delivery.js';
import { createOutboxRelay, type OutboxRelay } from '../src/outbox/outbox-relay.js';
import { createDraft, createEventTestApp, createVenue, type EventTestApp } from './event-test-app.js';

interface Peer {
  url: string;
  received: CatalogueMessage[];
  /** Answer the next n requests (of this event only, when given) with this status. */
  refuseNext(n: number, eventId?: string): void;
  close(): Promise<void>;
}

/** What the relay presents, and the stand-in for booking demands, as booking does. */
const SERVICE_TOKEN = 'outbox-relay-test-service-token';

async function startPeer(): Promise<Peer> {
  const received: CatalogueMessage[] = [];
  let refusals = 0;
  let refusedEvent: string | undefined;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== CATALOGUE_MESSAGES_PATH) {
        res.writeHead(404).end();
        return;
      }
      if (req.headers.authorization !== `Bearer ${SERVICE_TOKEN}`) {
        res.writeHead(401).end();
        return;
      }
      const message = JSON.parse(body) as CatalogueMessage;
      received.push(message);
      if (refusals > 0 && (refusedEvent === undefined || refusedEvent === message.eventId)) {
        refusals--;
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    refuseNext(n, eventId) {
      refusals = n;
      refusedEvent = eventId;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(testDialects())('outbox relay on %s', (dialect) => {
  let t: EventTestApp;
  let peer: Peer;
  let venueId: string;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    t = await createEventTestApp(dialect);
    peer = await startPeer();
    venueId = await createVenue(t, 'olga');
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await peer.close();
    await t.close();
  });

  const relay = (targets = () => [peer.url], leaseMs?: number) => {
    const r = createOutboxRelay({
      outbox: createOutboxRepository(t.database.db),
      deliver: createHttpDelivery({ targets, timeoutMs: 2_000, serviceToken: SERVICE_TOKEN }),
      pollMs: 20,
      backoffMs: 10,
      maxBackoffMs: 40,
      ...(leaseMs ? { leaseMs } : {}),
    });
    relays.push(r);
    return r;
  };
  const publishNew = async () => {
    const id = await createDraft(t, 'olga', venueId);
    const res = await t.app.inject({ method: 'POST', url: `/api/events/${id}/publish`, headers: await t.auth('olga') });
    expect(res.statusCode).toBe(200);
    return id;
  };
  const cancel = async (id: string) =>
    t.app.inject({ method: 'POST', url: `/api/events/${id}/cancel`, headers: await t.auth('olga') });
  const undelivered = async () =>
    (await t.database.db.selectFrom('outbox').select('id').where('delivered_at', 'is', null).execute()).length;
  const acknowledged = () => {
    // The last copy of each id is the one that was acknowledged.
    const ids: string[] = [];
    for (const m of peer.received) if (!ids.includes(m.id)) ids.push(m.id);
    return ids;
  };

  it('removes delivered messages once they are older than it keeps them, and never a pending one', async () => {
    peer.received.length = 0;
    const delivered = await publishNew();
    await relay().drain();
    expect(peer.received.map((m) => m.eventId)).toContain(delivered);
    const pending = await publishNew();
    const now = Date.now() + 7 * 86_400_000 + 60_000;
    const later = createOutboxRelay({
      outbox: createOutboxRepository(t.database.db),
      // Booking down: nothing more is delivered.
      deliver: async () => {
        throw new Error('booking is down');
      },
      pollMs: 20,
      clock: () => now,
    });
    relays.push(later);
    try {
      await later.drain();
      const ids = (await t.database.db.selectFrom('outbox').select('payload_json').execute()).map((r) => (JSON.parse(r.payload_json) as CatalogueMessage).eventId);
      // Before: kept for good, one row a message.
      expect(ids).not.toContain(delivered);
      expect(ids).toContain(pending);
    } finally {
      // Its lease, and its retry of the pending message, run a week from now: brought back to
      // now for the relays of the other tests.
      await t.database.db.updateTable('relay_lease').set({ holder: null, expires_at: 0 }).execute();
      await t.database.db.updateTable('outbox').set({ next_attempt_at: 0 }).where('delivered_at', 'is', null).execute();
    }
    await relay().drain();
  });

  it('forgets Idempotency-Keys a day old with its hourly housekeeping, and keeps younger ones', async () => {
    const create = async (key: string) => {
      const headers = { ...(await t.auth('olga')), 'idempotency-key': key };
      const res = await t.app.inject({ method: 'POST', url: '/api/venues', headers, payload: { name: key, sections: [{ id: 'GA', name: 'Floor', tier: 'A', capacity: 10 }] } });
      return res.json() as { id: string };
    };
    const old = await create('kept-a-day');
    // Recorded a day and a minute before the relay's clock.
    await t.database.db.updateTable('idempotency_keys').set({ created_at: Date.now() - IDEMPOTENCY_KEYS_KEPT_MS - 60_000 }).execute();
    const young = await create('kept-an-hour');
    const housekeeper = createOutboxRelay({ outbox: createOutboxRepository(t.database.db), deliver: async () => undefined, pollMs: 20, alsoHourly: forgetExpiredIdempotencyKeys(t.database.db) });
    relays.push(housekeeper);
    await housekeeper.drain();
    // The old key is free again (a new venue), the young one still replays.
    expect((await create('kept-a-day')).id).not.toBe(old.id);
    expect((await create('kept-an-hour')).id).toBe(young.id);
  });

  it('delivers publish and cancel messages in the order they were written, and marks them delivered', async () => {
    peer.received.length = 0;
    const a = await publishNew();
    const b = await publishNew();
    await cancel(a);
    relay().start();
    await eventually(async () => ((await undelivered()) === 0 ? true : undefined), 10_000, 'the outbox to drain');
    expect(peer.received.map((m) => [m.type, m.eventId])).toEqual([
      ['event.published', a],
      ['event.published', b],
      ['event.cancelled', a],
    ]);
  });

  it("sends a refused message again until it is acknowledged; its event's later messages wait, other events' do not", async () => {
    peer.received.length = 0;
    const a = await publishNew();
    const b = await publishNew();
    await cancel(a);
    peer.refuseNext(3, a);
    relay().start();
    await eventually(async () => ((await undelivered()) === 0 ? true : undefined), 10_000, 'the outbox to drain');
    const sent = peer.received.map((m) => `${m.type} ${m.eventId}`);
    expect(sent.filter((m) => m === `event.published ${a}`)).toHaveLength(4);
    // b went past a's refused publication; a's cancellation came only after it was acknowledged.
    expect(sent.indexOf(`event.published ${b}`)).toBe(1);
    expect(sent.at(-1)).toBe(`event.cancelled ${a}`);
    expect(sent).toHaveLength(6);
    const rows = await t.database.db.selectFrom('outbox').selectAll().orderBy('seq', 'desc').limit(3).execute();
    expect(rows.map((r) => Number(r.attempts)).sort()).toEqual([0, 0, 3]);
  });

  it('stops a pass after a few failures when booking refuses everything, and delivers all once it is back', async () => {
    peer.received.length = 0;
    const ids = [await publishNew(), await publishNew(), await publishNew(), await publishNew(), await publishNew()];
    peer.refuseNext(1_000);
    const r = relay();
    await r.drain();
    expect(peer.received).toHaveLength(3);
    peer.refuseNext(0);
    r.start();
    await eventually(async () => ((await undelivered()) === 0 ? true : undefined), 10_000, 'the outbox to drain');
    expect([...new Set(peer.received.map((m) => m.eventId))].sort()).toEqual([...ids].sort());
  });

  it('retries while no booking instance is registered, then delivers', async () => {
    peer.received.length = 0;
    let registered: string[] = [];
    const id = await publishNew();
    const r = relay(() => registered);
    r.start();
    await eventually(
      async () => {
        const row = await t.database.db.selectFrom('outbox').select(['attempts']).where('delivered_at', 'is', null).executeTakeFirst();
        return row && Number(row.attempts) >= 2 ? true : undefined;
      },
      10_000,
      'a few failed attempts',
    );
    expect(peer.received).toEqual([]);
    registered = [peer.url];
    await eventually(async () => ((await undelivered()) === 0 ? true : undefined), 10_000, 'the outbox to drain');
    expect(peer.received.map((m) => m.eventId)).toEqual([id]);
  });

  it('loses nothing across a crash: messages committed before the relay could deliver go out with the next relay', async () => {
    peer.received.length = 0;
    const ids = [await publishNew(), await publishNew()];
    // This relay takes the lease, fails to deliver, and dies without releasing anything.
    const crashed = relay(() => [], 300);
    await crashed.drain();
    expect(await undelivered()).toBe(2);

    relay().start();
    await eventually(async () => ((await undelivered()) === 0 ? true : undefined), 10_000, 'the next relay to deliver once the lease lapsed');
    expect(acknowledged().length).toBe(2);
    expect(peer.received.map((m) => m.eventId)).toEqual(ids);
  });

  it('lets only one relay deliver at a time', async () => {
    peer.received.length = 0;
    const first = relay();
    const second = relay();
    await publishNew();
    await publishNew();
    const [byFirst, bySecond] = await Promise.all([first.drain(), second.drain()]);
    expect([byFirst, bySecond].sort()).toEqual([0, 2]);
    expect(peer.received).toHaveLength(2);
  });
});
