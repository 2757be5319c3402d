/**
 * The database committed, and its answer was lost on the way (the connection dropped between the
 * COMMIT and its reply): the service cannot tell a commit from a rollback. A paid order whose
 * commit went through keeps its payment — it is not refunded because the service heard an error.
 * (A charge whose order did not commit is refunded: at once when its attempt is still there to
 * take, orders.test.ts "owes a refund … after a lost race"; else by the reconciler, "refunds what
 * an attempt abandoned by a crash had charged".) On MariaDB (MYSQL_URL), through a TCP gate that
 * lets the COMMIT reach the server and cuts the connection instead of passing on its reply.
 * Likewise a hold: the buyer heard "nothing was held", so a hold that did commit is released by
 * the next sweep, and the buyer's retry gets the seats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from './in-memory-catalogue.js';
import { startTcpGate, type TcpGate } from '../../../tests/support/tcp-gate.js';

describe.runIf(process.env['MYSQL_URL'])('a commit whose reply is lost, on MariaDB', () => {
  let direct: BookingTestApp;
  let gate: TcpGate;
  let gated: BookingTestApp;
  const eventId = 'lost-reply-event';

  beforeAll(async () => {
    const catalogue = createInMemoryCatalogue();
    const { event, map } = hallEvent(eventId);
    catalogue.put(event, map);
    direct = await createBookingTestApp('mysql', { catalogue });
    gate = await startTcpGate(direct.databaseUrl);
    // A payment timeout short enough for tok_slow (which charges late) to give up within the test.
    gated = await createBookingTestApp('mysql', { catalogue, databaseUrl: gate.url, settings: { paymentTimeoutMs: 1_000 } });
  });
  afterAll(async () => {
    await gated?.close();
    await gate?.close();
    await direct?.close();
  });

  it('keeps the payment of an order that did commit, and gives the buyer their order', async () => {
    const buyer = await gated.auth('lost-reply-buyer');
    const hold = await gated.app.inject({ method: 'POST', url: '/api/holds', headers: buyer, payload: { eventId, seatIds: ['ORCH-A-1', 'ORCH-A-2'] } });
    expect(hold.statusCode, hold.body).toBe(201);
    const holdId = hold.json().holdId as string;

    // The order's transaction is the only one that sends Kysely's lower-case `commit` meanwhile
    // (hold claims send their own upper-case COMMIT on another pool).
    const lost = gate.loseReplyTo('commit');
    const order = await gated.app.inject({ method: 'POST', url: '/api/orders', headers: buyer, payload: { holdId, payment: { token: 'tok_ok' } } });
    await lost;
    expect(order.statusCode, order.body).toBe(503);

    // It did commit: the order stands, with its tickets, and its payment was not refunded.
    const orders = await direct.database.db.selectFrom('orders').select(['id', 'status', 'payment_id']).where('hold_id', '=', holdId).execute();
    expect(orders).toHaveLength(1);
    expect(orders[0]?.status).toBe('CONFIRMED');
    const tickets = await direct.database.db.selectFrom('tickets').select('seat_id').where('order_id', '=', orders[0]?.id as string).execute();
    expect(tickets.map((t) => t.seat_id).sort()).toEqual(['ORCH-A-1', 'ORCH-A-2']);
    expect(gated.payments.refundLog.map((r) => r.paymentId)).not.toContain(orders[0]?.payment_id);
    // The buyer finds it among their orders.
    const mine = await gated.app.inject({ method: 'GET', url: '/api/orders', headers: buyer });
    expect(mine.json().items.map((o: { orderId: string }) => o.orderId)).toContain(orders[0]?.id);
  });

  it('refunds a charge whose order failed, even when taking its attempt off lost its answer', async () => {
    const buyer = await gated.auth('lost-take-buyer');
    const hold = await gated.app.inject({ method: 'POST', url: '/api/holds', headers: buyer, payload: { eventId, seatIds: ['ORCH-B-1'] } });
    expect(hold.statusCode, hold.body).toBe(201);
    const holdId = hold.json().holdId as string;
    const refundsBefore = gated.payments.refundLog.length;
    // The charge takes a moment; meanwhile the buyer releases the hold (in another tab): the order fails.
    gated.payments.chargeDelayMs = 300;
    try {
      const ordering = gated.app.inject({ method: 'POST', url: '/api/orders', headers: buyer, payload: { holdId, payment: { token: 'tok_ok' } } });
      const released = await direct.app.inject({ method: 'DELETE', url: `/api/holds/${holdId}`, headers: await direct.auth('lost-take-buyer') });
      expect(released.statusCode).toBe(204);
      // The failed order takes its payment attempt off: that DELETE happens, its answer is lost.
      const lost = gate.loseReplyTo('delete from `payment_attempts`');
      const order = await ordering;
      await lost;
      // Released while the charge ran: 410, as a payment after the release is told.
      expect(order.statusCode, order.body).toBe(410);
    } finally {
      gated.payments.chargeDelayMs = 0;
    }
    const attempts = await direct.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).execute();
    expect(attempts).toEqual([]);
    // No order, no attempt left for the reconciler: the refund had to be made now, and was.
    expect(await direct.database.db.selectFrom('orders').select('id').where('hold_id', '=', holdId).execute()).toEqual([]);
    expect(gated.payments.refundLog.length - refundsBefore).toBe(1);
  });

  it('releases a hold that did commit, so that the 503 its buyer heard holds true', async () => {
    const buyer = { ...(await gated.auth('lost-hold-buyer')), 'idempotency-key': 'lost-hold-1' };
    const payload = { eventId, seatIds: ['ORCH-C-1', 'ORCH-C-2'] };
    // Hold claims commit on their own pool, with an upper-case COMMIT.
    const lost = gate.loseReplyTo('COMMIT');
    const first = await gated.app.inject({ method: 'POST', url: '/api/holds', headers: buyer, payload });
    await lost;
    expect(first.statusCode, first.body).toBe(503);
    const committed = await direct.database.db.selectFrom('holds').select(['id', 'status']).where('buyer_id', '=', 'lost-hold-buyer').execute();
    expect(committed.map((h) => h.status)).toEqual(['ACTIVE']);

    await gated.app.booking.sweeper.sweepOnce();
    const after = await direct.database.db.selectFrom('holds').select('status').where('id', '=', committed[0]?.id as string).executeTakeFirst();
    expect(after?.status).toBe('RELEASED');
    const seats = await direct.database.db.selectFrom('seats').select('status').where('event_id', '=', eventId).where('seat_id', 'in', payload.seatIds).execute();
    expect(seats.map((seat) => seat.status)).toEqual(['AVAILABLE', 'AVAILABLE']);
    // The buyer's retry (the 503 was not kept for the key) gets the seats.
    const retry = await gated.app.inject({ method: 'POST', url: '/api/holds', headers: buyer, payload });
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.json().seatIds).toEqual(payload.seatIds);
  });

  it('refunds an abandoned charge even when taking its attempt off lost its answer', async () => {
    const buyer = await gated.auth('lost-reconcile-buyer');
    const hold = await gated.app.inject({ method: 'POST', url: '/api/holds', headers: buyer, payload: { eventId, seatIds: ['ORCH-D-1'] } });
    expect(hold.statusCode, hold.body).toBe(201);
    // tok_slow: the payment times out (504, the attempt stays), and the charge goes through late.
    const order = await gated.app.inject({ method: 'POST', url: '/api/orders', headers: buyer, payload: { holdId: hold.json().holdId, payment: { token: 'tok_slow' } } });
    expect(order.statusCode, order.body).toBe(504);
    const [attempt] = await direct.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', hold.json().holdId).execute();
    expect(attempt).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 400)); // the late charge (slowMs 300)
    const refundsBefore = gated.payments.refundLog.length;

    // Long after, the sweep's reconciler takes the attempt off — that DELETE happens, its answer is lost.
    gated.advance(16 * 60_000);
    const lost = gate.loseReplyTo('delete from `payment_attempts`');
    await gated.app.booking.sweeper.sweepOnce();
    await lost;
    expect(await direct.database.db.selectFrom('payment_attempts').select('reference').where('reference', '=', attempt?.reference as string).execute()).toEqual([]);
    // No order took it: the late charge is refunded all the same (before, nothing ever refunded it).
    expect(gated.payments.refundLog.length - refundsBefore).toBe(1);
  });
});
