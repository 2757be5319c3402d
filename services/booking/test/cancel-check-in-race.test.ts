/**
 * A buyer's cancel and the organiser's check-in of one of its tickets, fired at the same moment
 * over real HTTP for many orders: exactly one of the two wins each time. Never a refunded order
 * with a ticket admitted at the door, and the provider's refunds are exactly the cancelled orders'.
 * On SQLite and, when MYSQL_URL is set, on MariaDB.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../tests/support/free-port.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from './in-memory-catalogue.js';

const ORDERS = 40;

describe.each(testDialects())('a buyer cancel racing a check-in over HTTP on %s', (dialect) => {
  let t: BookingTestApp;
  let url: string;
  const eventId = `cancel-race-${dialect}`;

  beforeAll(async () => {
    const catalogue = createInMemoryCatalogue();
    const { event, map } = hallEvent(eventId, { rows: 5, seatsPerRow: 10, organizerId: 'olga' });
    catalogue.put(event, map);
    t = await createBookingTestApp(dialect, { catalogue });
    url = `http://127.0.0.1:${await listenOnLoopback(t.app)}`;
  });
  afterAll(() => t?.close());

  const send = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it(`lets exactly one of cancel and check-in win for each of ${ORDERS} orders`, async () => {
    const olga = await t.auth('olga', 'organizer');
    const orders: Array<{ orderId: string; code: string; buyer: Record<string, string> }> = [];
    for (let i = 0; i < ORDERS; i++) {
      const buyer = await t.auth(`racer-${i}`);
      const seatId = `ORCH-${String.fromCharCode(65 + Math.floor(i / 10))}-${(i % 10) + 1}`;
      const hold = await send('POST', '/api/holds', buyer, { eventId, seatIds: [seatId] });
      expect(hold.status).toBe(201);
      const order = await send('POST', '/api/orders', buyer, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } });
      expect(order.status).toBe(201);
      const [ticket] = order.body['tickets'] as Array<{ code: string }>;
      orders.push({ orderId: String(order.body['orderId']), code: String(ticket?.code), buyer });
    }
    const refundsBefore = t.payments.refundLog.length;

    // Each order's cancel and check-in are sent together, four orders at a time. A refund takes a
    // while, as a real provider's does; the check-in is sent a little before, with, or a little
    // after its cancel, so that it reaches the service before, during or after the cancel's refund.
    t.payments.refundDelayMs = 20;
    const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
    const offsets = [-5, 0, 0, 10, 30];
    const race = async ({ orderId, code, buyer }: (typeof orders)[number], i: number) => {
      const cancelIt = () => send('POST', `/api/orders/${orderId}/cancel`, buyer);
      const checkItIn = () => send('POST', `/api/tickets/${code}/check-in`, olga);
      // One order in ten goes check-in first, one cancel first, one after the other: both kinds of
      // winner occur however fast the machine is. The others race.
      if (i % 10 === 0) {
        const checkIn = await checkItIn();
        return { orderId, code, cancel: await cancelIt(), checkIn };
      }
      if (i % 10 === 9) {
        const cancel = await cancelIt();
        return { orderId, code, cancel, checkIn: await checkItIn() };
      }
      const offset = offsets[i % offsets.length] ?? 0;
      const [cancel, checkIn] = await Promise.all([later(-offset).then(cancelIt), later(offset).then(checkItIn)]);
      return { orderId, code, cancel, checkIn };
    };
    const LANES = 4;
    const outcomes: Array<Awaited<ReturnType<typeof race>>> = [];
    try {
      await Promise.all(
        Array.from({ length: LANES }, async (_, lane) => {
          for (let i = lane; i < orders.length; i += LANES) outcomes.push(await race(orders[i] as (typeof orders)[number], i));
        }),
      );
    } finally {
      t.payments.refundDelayMs = 0;
    }

    const bothWon = outcomes.filter((o) => o.cancel.status === 200 && o.checkIn.status === 200);
    const neitherWon = outcomes.filter((o) => o.cancel.status !== 200 && o.checkIn.status !== 200);
    expect({ bothWon: bothWon.length, neitherWon: neitherWon.length }).toEqual({ bothWon: 0, neitherWon: 0 });
    // The loser is told why: the order's ticket was used, or the ticket's order was cancelled.
    for (const o of outcomes) {
      if (o.cancel.status === 200) {
        expect(o.cancel.body['status']).toBe('CANCELLED');
        expect(o.checkIn.status).toBe(409);
        expect(String(o.checkIn.body['type'])).toMatch(/ticket-void$/);
      } else {
        expect(o.cancel.status).toBe(409);
        expect(String(o.cancel.body['type'])).toMatch(/order-checked-in$/);
      }
    }

    // What the database says agrees, order by order: never cancelled with a ticket checked in.
    const db = t.database.db;
    const rows = await db.selectFrom('orders').select(['id', 'status', 'payment_id']).where('event_id', '=', eventId).execute();
    const tickets = await db.selectFrom('tickets').select(['order_id', 'checked_in_at']).where('event_id', '=', eventId).execute();
    const checkedIn = new Set(tickets.filter((x) => x.checked_in_at !== null).map((x) => x.order_id));
    const cancelled = rows.filter((r) => r.status === 'CANCELLED');
    expect(rows.filter((r) => r.status !== 'CONFIRMED' && r.status !== 'CANCELLED')).toEqual([]);
    expect(cancelled.filter((r) => checkedIn.has(r.id)).map((r) => r.id)).toEqual([]);
    expect(cancelled.map((r) => r.id).sort()).toEqual(outcomes.filter((o) => o.cancel.status === 200).map((o) => o.orderId).sort());
    expect([...checkedIn].sort()).toEqual(outcomes.filter((o) => o.checkIn.status === 200).map((o) => o.orderId).sort());

    // The provider refunded exactly the cancelled orders' payments, each once.
    const refunded = t.payments.refundLog.slice(refundsBefore).map((r) => r.paymentId);
    expect(refunded.sort()).toEqual(cancelled.map((r) => r.payment_id).sort());
    // Both kinds of winner occurred (one order in ten each way is sent in a fixed order).
    expect(cancelled.length, 'cancels that won').toBeGreaterThan(0);
    expect(checkedIn.size, 'check-ins that won').toBeGreaterThan(0);
  }, 60_000);
});
