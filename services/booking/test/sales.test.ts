/**
 * `GET /api/sales/{eventId}`: an event's sales figures for its organiser (or an admin) — orders,
 * tickets, seats and money, exactly, after sales, cancellations (refunded, and refund pending),
 * a check-in and holds (running, and run out); nobody else learns the event exists, and an event
 * cancelled before it went on sale has no figures. On SQLite and, when MYSQL_URL is set, on MariaDB.
 */
import { salesSummary } from '@stream-seat/contracts';
import { testDialects } from '@stream-seat/db';
import type { Role } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

describe.each(testDialects())('sales figures on %s', (dialect) => {
  let t: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;
  /** An on-sale event of 40 ORCH seats at 50.00 and 20 FLOOR places: 60 seats. */
  const newEvent = (organizerId = 'olga') => {
    const { event, map } = hallEvent(`s${++n}-${dialect}`, { organizerId });
    catalogue.put(event, map);
    return event.id;
  };
  const post = async (sub: string, url: string, payload?: Record<string, unknown>, role: Role = 'buyer') =>
    t.app.inject({ method: 'POST', url, headers: await t.auth(sub, role), ...(payload === undefined ? {} : { payload }) });
  const sales = async (eventId: string, sub?: string, role: Role = 'organizer') =>
    t.app.inject({ method: 'GET', url: `/api/sales/${eventId}`, headers: sub === undefined ? {} : await t.auth(sub, role) });
  const hold = async (buyer: string, eventId: string, seatIds: string[]) => {
    const res = await post(buyer, '/api/holds', { eventId, seatIds });
    if (res.statusCode !== 201) throw new Error(`hold failed: ${res.body}`);
    return res.json().holdId as string;
  };
  /** A confirmed order of these seats: its id and ticket codes. */
  const buy = async (buyer: string, eventId: string, seatIds: string[], token = 'tok_ok') => {
    const res = await post(buyer, '/api/orders', { holdId: await hold(buyer, eventId, seatIds), payment: { token } });
    if (res.statusCode !== 201) throw new Error(`order failed: ${res.body}`);
    return { orderId: res.json().orderId as string, codes: (res.json().tickets as Array<{ code: string }>).map((ticket) => ticket.code) };
  };

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    t = await createBookingTestApp(dialect, { catalogue, settings: { holdTtlSeconds: 60 } });
  });
  afterAll(() => t?.close());

  it('counts orders, tickets, seats and money exactly: a pending refund is neither revenue nor refunded', async () => {
    const eventId = newEvent('olga');
    // A hold that runs out: its seat is available again, whether or not the sweeper came.
    await hold('pia', eventId, ['ORCH-D-9']);
    t.advance(61_000);

    await buy('kim', eventId, ['ORCH-A-1', 'ORCH-A-2']); // 100.00, stands
    const lea = await buy('lea', eventId, ['ORCH-B-1']); // 50.00, stands, checked in
    const max = await buy('max', eventId, ['ORCH-C-1', 'ORCH-C-2', 'ORCH-C-3', 'ORCH-C-4']); // 200.00, refunded
    const ned = await buy('ned', eventId, ['ORCH-D-1'], 'tok_refund_fails'); // 50.00, its refund pending
    await hold('ola', eventId, ['ORCH-D-5', 'ORCH-D-6']); // running
    expect((await post('olga', `/api/tickets/${lea.codes[0]}/check-in`, undefined, 'organizer')).statusCode).toBe(200);
    // One of max's tickets is checked in before the organiser cancels the order: a void ticket, not counted.
    expect((await post('olga', `/api/tickets/${max.codes[0]}/check-in`, undefined, 'organizer')).statusCode).toBe(200);
    expect((await post('olga', `/api/orders/${max.orderId}/cancel`, undefined, 'organizer')).json()).toMatchObject({ status: 'CANCELLED' });
    const pending = (await post('ned', `/api/orders/${ned.orderId}/cancel`)).json();
    expect(pending).toMatchObject({ status: 'CANCELLED', refund: 'PENDING' });
    // Another event of the same organiser: none of its sales count here.
    await buy('kim', newEvent('olga'), ['ORCH-A-3']);

    const res = await sales(eventId, 'olga');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(salesSummary.strict().safeParse(res.json()).success).toBe(true);
    expect(res.json()).toEqual({
      eventId,
      currency: 'EUR',
      orders: { confirmed: 2, cancelled: 2 },
      tickets: { sold: 3, checkedIn: 1 },
      seats: { sold: 3, held: 2, available: 55, total: 60 },
      cancelled: false,
      revenueCents: 15_000,
      refundedCents: 20_000,
    });
    // The seats as availability counts them.
    const { counts } = (await t.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).json();
    expect([counts.BOOKED, counts.HELD, counts.AVAILABLE]).toEqual([3, 2, 55]);
    // An admin sees the same figures.
    const byAdmin = await sales(eventId, 'root', 'admin');
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json()).toEqual(res.json());
  });

  it('answers an event on sale with nothing sold yet with zeros and all its seats available', async () => {
    const eventId = newEvent('olga');
    // Its inventory made on first access, as a buyer looking at the seats makes it.
    expect((await t.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).statusCode).toBe(200);
    expect((await sales(eventId, 'olga')).json()).toEqual({
      eventId,
      currency: 'EUR',
      orders: { confirmed: 0, cancelled: 0 },
      tickets: { sold: 0, checkedIn: 0 },
      seats: { sold: 0, held: 0, available: 60, total: 60 },
      cancelled: false,
      revenueCents: 0,
      refundedCents: 0,
    });
  });

  it('says an event cancelled after it went on sale is cancelled, its orders refunded', async () => {
    const eventId = newEvent('olga');
    await buy('kim', eventId, ['ORCH-A-1', 'ORCH-A-2']);
    const cancel = { id: `cancel-${eventId}`, type: 'event.cancelled', eventId, occurredAt: new Date(t.now()).toISOString() };
    expect((await t.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: t.internal, payload: cancel })).json().outcome).toBe('processed');
    const figures = (await sales(eventId, 'olga')).json();
    // Its seats may read available again: the flag, not the seats, says nothing more is sold.
    expect(figures).toMatchObject({ cancelled: true, orders: { confirmed: 0, cancelled: 1 }, tickets: { sold: 0, checkedIn: 0 }, revenueCents: 0, refundedCents: 10_000 });
  });

  it('is 404 for another organiser and for an event without an inventory, 403 for a buyer, 401 without a token, 400 naming a bad id', async () => {
    const eventId = newEvent('olga');
    await buy('kim', eventId, ['ORCH-A-1']);
    const other = await sales(eventId, 'otto');
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toContain('application/problem+json');
    // Answered as an unknown event is: nothing says the event exists.
    const unknown = await sales(`nope-${dialect}`, 'olga');
    expect(unknown.statusCode).toBe(404);
    expect(other.json().detail).toBe(unknown.json().detail.replace(`nope-${dialect}`, eventId));
    // On sale in the catalogue but never accessed here: no inventory, and none made by asking.
    const untouched = newEvent('olga');
    expect((await sales(untouched, 'olga')).statusCode).toBe(404);
    expect(await t.database.db.selectFrom('inventories').select('event_id').where('event_id', '=', untouched).executeTakeFirst()).toBeUndefined();
    // Cancelled before it went on sale: its closed, empty inventory sold nothing, even to an admin's eyes.
    const early = newEvent('olga');
    const cancel = { id: `early-cancel-${early}`, type: 'event.cancelled', eventId: early, occurredAt: new Date(t.now()).toISOString() };
    expect((await t.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: t.internal, payload: cancel })).json().outcome).toBe('processed');
    expect((await sales(early, 'root', 'admin')).statusCode).toBe(404);

    expect((await sales(eventId, 'kim', 'buyer')).statusCode).toBe(403);
    const anonymous = await sales(eventId);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');

    const bad = await sales('a%20b', 'olga');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['params.eventId']);
  });
});
