/**
 * Hundreds of buyers race for overlapping seats of one event over real HTTP. Whatever the
 * interleaving, no seat ends up in two live holds or two orders, and every 201 is backed by the
 * database. On SQLite, on MariaDB, and with two booking instances sharing one MariaDB database —
 * where one buyer's racing requests are also bounded by the active-holds limit across instances.
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import { createTestDatabase, testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from './in-memory-catalogue.js';

const REQUESTS = 520;

/** A small deterministic PRNG, so that a failing race can be replayed. */
function prng(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

interface Instance {
  t: BookingTestApp;
  url: string;
  batches: SeatChangeBatch[];
}

async function startInstances(count: number, dialect: 'sqlite' | 'mysql', eventId: string, databaseUrl?: string, maxActiveHoldsPerBuyer = 3): Promise<Instance[]> {
  const catalogue = createInMemoryCatalogue();
  const { event, map } = hallEvent(eventId, { rows: 5, seatsPerRow: 10, floor: 30 });
  catalogue.put(event, map);
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const t = await createBookingTestApp(dialect, { catalogue, ...(databaseUrl ? { databaseUrl } : {}), settings: { maxActiveHoldsPerBuyer } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const batches: SeatChangeBatch[] = [];
    t.app.booking.bus.subscribe(eventId, (b) => batches.push(b));
    instances.push({ t, url: `http://127.0.0.1:${port}`, batches });
  }
  return instances;
}

async function race(instances: Instance[], eventId: string) {
  const random = prng(42);
  const hot = Array.from({ length: 20 }, (_, i) => `ORCH-${i < 10 ? 'A' : 'B'}-${(i % 10) + 1}`);
  const first = instances[0];
  if (!first) throw new Error('no instance');
  const tokens = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => first.t.auth(`racer-${i}`)));
  const bodies = Array.from({ length: REQUESTS }, (_, i) => {
    if (i % 10 === 9) return { eventId, quantity: 2, together: true };
    if (i % 10 === 8) return { eventId, quantity: 2, section: 'FLOOR' };
    const want = 1 + Math.floor(random() * 3);
    // Distinct seats within a request (a seat named twice is a 400); overlapping across requests.
    const picked = new Set<string>();
    while (picked.size < want) picked.add(hot[Math.floor(random() * hot.length)] as string);
    return { eventId, seatIds: [...picked] };
  });
  // Inventory creation is raced by the first requests too; every request starts at once.
  const responses = await Promise.all(
    bodies.map(async (body, i) => {
      const instance = instances[i % instances.length] as Instance;
      const res = await fetch(`${instance.url}/api/holds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...tokens[i] },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { holdId: string; seatIds: string[]; unavailable?: string[] } };
    }),
  );
  return { responses, tokens };
}

async function assertNeverOversold(instances: Instance[], eventId: string, responses: Awaited<ReturnType<typeof race>>['responses']) {
  const db = (instances[0] as Instance).t.database.db;
  const statuses = new Set(responses.map((r) => r.status));
  expect([...statuses].every((s) => s === 201 || s === 409), `statuses ${[...statuses].join(',')}`).toBe(true);
  const won = responses.filter((r) => r.status === 201).map((r) => r.body);
  expect(won.length).toBeGreaterThan(10);
  expect(responses.filter((r) => r.status === 409).length).toBeGreaterThan(10);

  // No seat in two successful holds.
  const claimed = won.flatMap((h) => h.seatIds);
  expect(new Set(claimed).size).toBe(claimed.length);
  // Every 201 is backed by the database: its seats are HELD by exactly that hold.
  const rows = await db.selectFrom('seats').select(['seat_id', 'status', 'hold_id']).where('event_id', '=', eventId).execute();
  const bySeat = new Map(rows.map((r) => [r.seat_id, r]));
  for (const hold of won) {
    for (const seatId of hold.seatIds) expect(bySeat.get(seatId)).toMatchObject({ status: 'HELD', hold_id: hold.holdId });
  }
  expect(rows.filter((r) => r.status === 'HELD')).toHaveLength(claimed.length);
  const holds = await db.selectFrom('holds').select(['id', 'seat_ids_json']).where('event_id', '=', eventId).where('status', '=', 'ACTIVE').execute();
  expect(holds.map((h) => h.id).sort()).toEqual(won.map((h) => h.holdId).sort());

  // Each committed change got its own seq, with no gap and no duplicate across instances.
  const seqs = instances.flatMap((i) => i.batches.map((b) => b.seq)).sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: won.length }, (_, i) => i + 1));
  return won;
}

async function payRacing(instances: Instance[], eventId: string, won: Array<{ holdId: string }>, tokens: Array<Record<string, string>>, responses: Array<{ status: number; body: { holdId: string } }>) {
  const ownerToken = new Map<string, Record<string, string>>();
  responses.forEach((r, i) => {
    if (r.status === 201) ownerToken.set(r.body.holdId, tokens[i] as Record<string, string>);
  });
  // Every hold is paid for twice at once, through different instances: one order each, at most.
  const attempts = won.flatMap((hold, i) => [0, 1].map((k) => ({ hold, instance: instances[(i + k) % instances.length] as Instance })));
  const results = await Promise.all(
    attempts.map(async ({ hold, instance }) => {
      const res = await fetch(`${instance.url}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...ownerToken.get(hold.holdId) },
        body: JSON.stringify({ holdId: hold.holdId, payment: { token: 'tok_ok' } }),
      });
      return res.status;
    }),
  );
  expect(results.filter((s) => s === 201)).toHaveLength(won.length);
  // Every loser is told the hold was already ordered (409); a loser that was charged got its own
  // charge back, and no confirmed order's payment was refunded.
  expect(results.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
  const refunded = instances.flatMap((i) => [...i.t.payments.refunds.keys()]);
  expect(refunded.length).toBeLessThanOrEqual(results.length - won.length);
  const confirmedPayments = await (instances[0] as Instance).t.database.db.selectFrom('orders').select('payment_id').where('event_id', '=', eventId).execute();
  expect(refunded.filter((id) => confirmedPayments.some((o) => o.payment_id === id))).toEqual([]);
  const db = (instances[0] as Instance).t.database.db;
  const tickets = await db.selectFrom('tickets').select('seat_id').where('event_id', '=', eventId).where('status', '=', 'VALID').execute();
  expect(new Set(tickets.map((x) => x.seat_id)).size).toBe(tickets.length);
  const booked = await db.selectFrom('seats').select('seat_id').where('event_id', '=', eventId).where('status', '=', 'BOOKED').execute();
  expect(booked).toHaveLength(tickets.length);
}

describe.each(testDialects())('racing holds over HTTP on %s', (dialect) => {
  let instances: Instance[];
  const eventId = `race-${dialect}`;
  beforeAll(async () => {
    instances = await startInstances(1, dialect, eventId);
  });
  afterAll(async () => {
    for (const i of instances ?? []) await i.t.close();
  });

  it(`never sells a seat twice with ${REQUESTS} concurrent hold requests and racing payments`, async () => {
    const { responses, tokens } = await race(instances, eventId);
    const won = await assertNeverOversold(instances, eventId, responses);
    await payRacing(instances, eventId, won, tokens, responses);
  }, 120_000);
});

describe.runIf(testDialects().includes('mysql'))('racing holds across two booking instances sharing one MariaDB database', () => {
  let instances: Instance[];
  let drop: () => Promise<void>;
  const eventId = 'race-two-instances';
  beforeAll(async () => {
    const shared = await createTestDatabase('mysql', 'booking_shared');
    drop = shared.drop;
    instances = await startInstances(2, 'mysql', eventId, shared.url);
  });
  afterAll(async () => {
    for (const i of instances ?? []) await i.t.close();
    await drop?.();
  });

  it(`never sells a seat twice with ${REQUESTS} concurrent hold requests split between the instances`, async () => {
    const { responses, tokens } = await race(instances, eventId);
    const won = await assertNeverOversold(instances, eventId, responses);
    await payRacing(instances, eventId, won, tokens, responses);
  }, 120_000);
});

describe.runIf(testDialects().includes('mysql'))('one buyer racing for holds across two booking instances sharing one MariaDB database', () => {
  const LIMIT = 2;
  const ROUNDS = 4;
  const PER_ROUND = 12;
  let instances: Instance[];
  let drop: () => Promise<void>;
  const eventId = 'race-one-buyer';
  beforeAll(async () => {
    const shared = await createTestDatabase('mysql', 'booking_one_buyer');
    drop = shared.drop;
    instances = await startInstances(2, 'mysql', eventId, shared.url, LIMIT);
  });
  afterAll(async () => {
    for (const i of instances ?? []) await i.t.close();
    await drop?.();
  });

  it(`gives a buyer at most ${LIMIT} active holds when ${PER_ROUND} of their requests for distinct seats race through both instances`, async () => {
    // The inventory exists before the race, so that the requests meet at the claim, not at creation.
    for (const instance of instances) expect((await fetch(`${instance.url}/api/availability/${eventId}`)).status).toBe(200);
    const db = (instances[0] as Instance).t.database.db;
    // Several rounds, each a new buyer on fresh seats: one round can happen not to overlap the
    // instances' claim transactions; together they do.
    for (let round = 0; round < ROUNDS; round++) {
      const buyer = `hoarder-${round}`;
      const token = await (instances[0] as Instance).t.auth(buyer);
      const seats = Array.from({ length: PER_ROUND }, (_, i) => {
        const seat = round * PER_ROUND + i;
        return `ORCH-${String.fromCharCode(65 + Math.floor(seat / 10))}-${(seat % 10) + 1}`;
      });
      const responses = await Promise.all(
        seats.map(async (seatId, i) => {
          const instance = instances[i % instances.length] as Instance;
          const res = await fetch(`${instance.url}/api/holds`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...token },
            body: JSON.stringify({ eventId, seatIds: [seatId] }),
          });
          return { status: res.status, body: (await res.json()) as { holdId?: string; type?: string } };
        }),
      );
      const won = responses.filter((r) => r.status === 201);
      // The seats are distinct and free: only the limit stops a request, and it stops all but LIMIT.
      expect(won, `round ${round}: ${responses.map((r) => r.status).join(',')}`).toHaveLength(LIMIT);
      const refused = responses.filter((r) => r.status !== 201);
      expect(refused.every((r) => r.status === 409 && r.body.type?.endsWith('/too-many-holds'))).toBe(true);
      const active = await db.selectFrom('holds').select('id').where('buyer_id', '=', buyer).where('status', '=', 'ACTIVE').execute();
      expect(active.map((h) => h.id).sort()).toEqual(won.map((r) => r.body.holdId).sort());
      const held = await db.selectFrom('seats').select('seat_id').where('event_id', '=', eventId).where('hold_id', 'in', active.map((h) => h.id)).where('status', '=', 'HELD').execute();
      expect(held).toHaveLength(LIMIT);
    }
  }, 60_000);
});
