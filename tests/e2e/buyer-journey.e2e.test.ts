/**
 * The buyer's journey through the gateway, with the four services as processes: an organiser puts
 * an event on sale, a buyer holds seats, a declined payment keeps the hold, a good one issues
 * tickets, the organiser checks one in, an expired hold is 410, a cancelled order puts its seats
 * back on sale, and cancelling the event refunds every order through the outbox. Then hundreds
 * of buyers race for the same seats through the gateway — with MYSQL_URL set, both services on
 * fresh, empty MariaDB databases (they migrate them at start-up), and a second booking instance
 * sharing the booking database behind the gateway.
 */
import { request as httpRequest } from 'node:http';
import { createTestDatabase, type TestDatabase } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../../scripts/platform-launcher.js';
import { eventually, freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

const HOLD_TTL_SECONDS = 8;
const useMysql = Boolean(process.env['MYSQL_URL']);

let test: TestPlatform;
let platform: RunningPlatform;
let mysql: TestDatabase | undefined;
let eventMysql: TestDatabase | undefined;
let gateway: string;

beforeAll(async () => {
  mysql = useMysql ? await createTestDatabase('mysql', 'journey') : undefined;
  eventMysql = useMysql ? await createTestDatabase('mysql', 'journey_events') : undefined;
  const bookingEnv = {
    ...(mysql ? { DATABASE_URL: mysql.url } : {}),
    HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS),
    HOLD_SWEEP_INTERVAL_MS: '500',
    PAYMENT_TIMEOUT_MS: '500',
  };
  test = await startTestPlatform({
    name: 'journey',
    env: { OUTBOX_POLL_MS: '200' },
    serviceEnv: { booking: bookingEnv, ...(eventMysql ? { event: { DATABASE_URL: eventMysql.url } } : {}) },
  });
  platform = test.platform;
  gateway = test.gateway;
  // A second booking instance on the same database, registered like the first.
  if (mysql) platform.startExtraInstance('booking', await freePort(), { ...bookingEnv, DATABASE_URL: mysql.url });
}, 120_000);

afterAll(async () => {
  await test?.stop();
  await mysql?.drop();
  await eventMysql?.drop();
});

const tokenFor = (sub: string, role: 'buyer' | 'organizer' | 'admin' = 'buyer') => test.tokenFor(sub, role);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field below
type Json = Record<string, any>;

const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => test.send<Json>(method, path, headers, body);

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const hallLayout = {
  name: 'Journey Hall',
  city: 'Lyon',
  sections: [
    { id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 10 }, { label: 'B', seats: 10 }, { label: 'C', seats: 10 }] },
    { id: 'FLOOR', name: 'Floor', tier: 'GA', capacity: 100 },
  ],
};

async function onSaleEvent(organizer: Record<string, string>): Promise<string> {
  return (await test.putOnSale(organizer, hallLayout, { name: 'Journey Night', startsAt: inDays(20), prices: { A: 6000, GA: 2500 }, maxSeatsPerOrder: 6 })).eventId;
}

describe('the buyer journey, through the gateway', () => {
  let olga: Record<string, string>;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let eventId: string;

  beforeAll(async () => {
    [olga, alice, bob] = await Promise.all([tokenFor('olga', 'organizer'), tokenFor('alice'), tokenFor('bob')]);
    eventId = await onSaleEvent(olga);
  });

  it('holds, keeps the hold through a declined payment, pays, and checks a ticket in once', async () => {
    const availability = await eventually(async () => {
      const res = await send('GET', `/api/availability/${eventId}`);
      return res.status === 200 ? res.body : undefined;
    }, 15_000, 'the inventory of the published event');
    expect(availability['counts'].AVAILABLE).toBe(130);

    const hold = await send('POST', '/api/holds', alice, { eventId, quantity: 2, section: 'ORCH', together: true });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ totalCents: 12_000, currency: 'EUR' });
    const holdId = hold.body['holdId'] as string;

    const declined = await send('POST', '/api/orders', alice, { holdId, payment: { token: 'tok_declined' } });
    expect(declined.status).toBe(402);
    expect((await send('GET', `/api/holds/${holdId}`, alice)).body['status']).toBe('ACTIVE');
    expect((await send('GET', `/api/holds/${holdId}`, bob)).status).toBe(404);

    const order = await send('POST', '/api/orders', alice, { holdId, payment: { token: 'tok_ok' } });
    expect(order.status).toBe(201);
    expect(order.body['status']).toBe('CONFIRMED');
    const tickets = order.body['tickets'] as Array<{ code: string; seatId: string }>;
    expect(tickets.map((t) => t.seatId).sort()).toEqual([...(hold.body['seatIds'] as string[])].sort());
    const seats = (await send('GET', `/api/availability/${eventId}`)).body['seats'] as Record<string, string>;
    for (const t of tickets) expect(seats[t.seatId]).toBe('BOOKED');

    const code = tickets[0]?.code as string;
    expect((await send('POST', `/api/tickets/${code}/check-in`, olga)).status).toBe(200);
    expect((await send('POST', `/api/tickets/${code}/check-in`, olga)).status).toBe(409);
    expect((await send('POST', '/api/tickets/not-a-ticket-code/check-in', olga)).status).toBe(404);
    expect((await send('GET', '/api/orders', alice)).body['items']).toHaveLength(1);

    // A ticket was used at the door: the buyer can no longer take the order back; the organiser
    // can, which refunds it and puts its seats back on sale.
    const refused = await send('POST', `/api/orders/${order.body['orderId']}/cancel`, alice);
    expect(refused.status).toBe(409);
    expect(refused.body['type']).toMatch(/order-checked-in$/);
    const cancelled = await send('POST', `/api/orders/${order.body['orderId']}/cancel`, olga);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body['status']).toBe('CANCELLED');
    const after = (await send('GET', `/api/availability/${eventId}`)).body['seats'] as Record<string, string>;
    for (const t of tickets) expect(after[t.seatId]).toBe('AVAILABLE');
  });

  it('refuses two Idempotency-Key headers at the gateway, naming the header, and holds nothing', async () => {
    // fetch would join them: a raw request sends two header lines, as a careless client can.
    const answer = await new Promise<{ status: number; body: Json }>((resolve, reject) => {
      const request = httpRequest(`${gateway}/api/holds`, { method: 'POST', headers: { ...bob, 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Json }));
      });
      request.setHeader('idempotency-key', ['key-a', 'key-b']);
      request.on('error', reject).end(JSON.stringify({ eventId, quantity: 1 }));
    });
    // Node at the gateway had joined them into one key, "key-a, key-b", and booking kept that.
    expect(answer.status).toBe(400);
    expect(answer.body['errors']).toEqual([{ field: 'headers.idempotency-key', message: 'is given more than once' }]);
    const mine = await send('GET', `/api/holds?eventId=${eventId}`, bob);
    expect((mine.body['items'] as Json[]).filter((h) => h['status'] === 'ACTIVE')).toEqual([]);
  });

  it('answers 410 for a hold paid after it expired', async () => {
    const hold = await send('POST', '/api/holds', bob, { eventId, quantity: 1, section: 'FLOOR' });
    expect(hold.status).toBe(201);
    const holdId = hold.body['holdId'] as string;
    await eventually(async () => {
      const res = await send('GET', `/api/holds/${holdId}`, bob);
      return res.body['status'] === 'EXPIRED' ? true : undefined;
    }, HOLD_TTL_SECONDS * 1000 + 10_000, 'the hold to expire');
    const late = await send('POST', '/api/orders', bob, { holdId, payment: { token: 'tok_ok' } });
    expect(late.status).toBe(410);
  });

  it('lets hundreds of buyers race for the same seats without selling one twice', async () => {
    const hot = Array.from({ length: 10 }, (_, i) => `ORCH-C-${i + 1}`);
    const buyers = await Promise.all(Array.from({ length: 500 }, (_, i) => tokenFor(`racer-${i}`)));
    const results = await Promise.all(
      buyers.map((buyer, i) =>
        send('POST', '/api/holds', buyer, { eventId, seatIds: [hot[i % 10] as string, hot[(i * 7 + 3) % 10] as string] }),
      ),
    );
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const won = results.flatMap((r, i) => (r.status === 201 ? [{ buyer: buyers[i] as Record<string, string>, hold: r.body }] : []));
    expect(won.length).toBeGreaterThan(0);
    const claimed = won.flatMap((w) => w.hold['seatIds'] as string[]);
    expect(new Set(claimed).size).toBe(claimed.length);
    // Pay for every won hold at once: each is booked, or — if it expired meanwhile — a 410.
    const paid = await Promise.all(won.map((w) => send('POST', '/api/orders', w.buyer, { holdId: w.hold['holdId'], payment: { token: 'tok_ok' } })));
    expect(paid.every((r) => r.status === 201 || r.status === 410)).toBe(true);
    const booked = paid.filter((r) => r.status === 201).flatMap((r) => (r.body['tickets'] as Array<{ seatId: string }>).map((t) => t.seatId));
    expect(new Set(booked).size).toBe(booked.length);
    const seats = (await send('GET', `/api/availability/${eventId}`)).body['seats'] as Record<string, string>;
    for (const seat of booked) expect(seats[seat]).toBe('BOOKED');
    expect(hot.filter((seat) => seats[seat] === 'BOOKED')).toHaveLength(booked.length);
    if (useMysql) {
      const routes = (await (await fetch(`${gateway}/gateway/routes`)).json()) as Array<{ id: string; instances: string[] }>;
      expect(routes.find((r) => r.id === 'holds')?.instances).toHaveLength(2);
    }
  }, 60_000);

  it('refunds every order when the organiser cancels the event', async () => {
    const hold = await send('POST', '/api/holds', bob, { eventId, seatIds: ['ORCH-A-1'] });
    expect(hold.status).toBe(201);
    const order = await send('POST', '/api/orders', bob, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } });
    expect(order.status).toBe(201);
    expect((await send('POST', `/api/events/${eventId}/cancel`, olga)).status).toBe(200);
    await eventually(async () => {
      const res = await send('GET', `/api/orders/${order.body['orderId']}`, bob);
      return res.body['status'] === 'CANCELLED' ? true : undefined;
    }, 15_000, 'the outbox to tell booking, and booking to refund the order');
    expect((await send('POST', '/api/holds', alice, { eventId, seatIds: ['ORCH-A-2'] })).status).toBe(409);
  });
});
