/**
 * Cancelling an order is claimed, refunded, then finished: a check-in during the refund is refused,
 * and a cancellation left half-way (a refund that failed, a process that died after the claim) is
 * finished by the sweeper — once, even with two instances sweeping. On SQLite and, when MYSQL_URL
 * is set, on MariaDB.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { createOrderRepository } from '../src/db/order.repository.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

describe.each(testDialects())('order cancellation on %s', (dialect) => {
  let t: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;
  const newEvent = () => {
    const { event, map } = hallEvent(`c${++n}-${dialect}`, { organizerId: 'olga' });
    catalogue.put(event, map);
    return event.id;
  };
  const post = async (app: BookingTestApp, sub: string, url: string, payload?: Record<string, unknown>, role: 'buyer' | 'organizer' = 'buyer') =>
    app.app.inject({ method: 'POST', url, headers: await app.auth(sub, role), ...(payload === undefined ? {} : { payload }) });
  /** A confirmed order of one seat, with its ticket code and payment id. */
  const buy = async (buyer: string, eventId: string, seatId: string) => {
    const hold = await post(t, buyer, '/api/holds', { eventId, seatIds: [seatId] });
    const order = (await post(t, buyer, '/api/orders', { holdId: hold.json().holdId, payment: { token: 'tok_ok' } })).json();
    const row = await t.database.db.selectFrom('orders').select('payment_id').where('id', '=', order.orderId).executeTakeFirstOrThrow();
    return { orderId: order.orderId as string, code: order.tickets[0].code as string, paymentId: row.payment_id };
  };
  const stored = (orderId: string) => t.database.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
  const seatStatus = async (eventId: string, seatId: string) =>
    ((await t.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).json() as { seats: Record<string, string> }).seats[seatId];
  const refundsOf = (paymentId: string, ...apps: BookingTestApp[]) => apps.flatMap((a) => a.payments.refundLog).filter((r) => r.paymentId === paymentId).length;

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    t = await createBookingTestApp(dialect, { catalogue, settings: { paymentTimeoutMs: 1_000 } });
  });
  afterAll(() => t?.close());

  it('refunds every order of an event its organiser called off after the show started, tickets checked in or not', async () => {
    const { event, map } = hallEvent(`late-${++n}-${dialect}`, { organizerId: 'olga' });
    catalogue.put({ ...event, startsAt: new Date(t.now() + 60_000).toISOString() }, map);
    const [used, unused] = [await buy('pia', event.id, 'ORCH-A-1'), await buy('quinn', event.id, 'ORCH-A-2')];
    expect((await post(t, 'olga', `/api/tickets/${used.code}/check-in`, undefined, 'organizer')).statusCode).toBe(200);
    // The show has started: a buyer's own cancel is refused …
    t.advance(120_000);
    expect((await post(t, 'quinn', `/api/orders/${unused.orderId}/cancel`)).statusCode).toBe(409);
    // … and the organiser's cancellation of the event refunds every order.
    catalogue.update(event.id, { status: 'CANCELLED' });
    const message = { id: `cancel-${event.id}`, type: 'event.cancelled', eventId: event.id, occurredAt: new Date(t.now()).toISOString() };
    expect((await t.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: t.internal, payload: message })).json()).toMatchObject({ outcome: 'processed' });
    await eventually(async () => ((await stored(used.orderId)).status === 'CANCELLED' && (await stored(unused.orderId)).status === 'CANCELLED' ? true : undefined), 10_000, 'both orders cancelled');
    expect([refundsOf(used.paymentId, t), refundsOf(unused.paymentId, t)]).toEqual([1, 1]);
  });

  it('refunds each order of a cancelled event exactly once while the sweeper runs, however long the refunds take', async () => {
    // The sweeper at a real interval, and refunds slow enough that the claims' leases (5 s) run
    // out before the request reaches the last orders: the sweeper takes those, the request not.
    const swept = await createBookingTestApp(dialect, { catalogue, settings: { paymentTimeoutMs: 1_000, holdSweepIntervalMs: 100 } });
    try {
      const eventId = newEvent();
      const buyers = Array.from({ length: 25 }, (_, i) => `many-${i}`);
      const paymentIds: string[] = [];
      for (const [i, buyer] of buyers.entries()) {
        const seatId = `ORCH-${String.fromCharCode(65 + Math.floor(i / 10))}-${(i % 10) + 1}`;
        const hold = await post(swept, buyer, '/api/holds', { eventId, seatIds: [seatId] });
        const order = (await post(swept, buyer, '/api/orders', { holdId: hold.json().holdId, payment: { token: 'tok_ok' } })).json();
        const row = await swept.database.db.selectFrom('orders').select('payment_id').where('id', '=', order.orderId).executeTakeFirstOrThrow();
        paymentIds.push(row.payment_id);
      }
      catalogue.update(eventId, { status: 'CANCELLED' });
      swept.payments.refundDelayMs = 300;
      try {
        const message = { id: `cancel-${eventId}`, type: 'event.cancelled', eventId, occurredAt: new Date(swept.now()).toISOString() };
        const handled = await swept.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: swept.internal, payload: message });
        expect(handled.json()).toMatchObject({ outcome: 'processed' });
        await eventually(
          async () => {
            const open = await swept.database.db.selectFrom('orders').select('id').where('event_id', '=', eventId).where('status', '!=', 'CANCELLED').execute();
            return open.length === 0 ? true : undefined;
          },
          20_000,
          'every order cancelled',
        );
      } finally {
        swept.payments.refundDelayMs = 0;
      }
      const counts = paymentIds.map((id) => refundsOf(id, swept));
      expect({ refundedTwice: counts.filter((c) => c > 1).length, notRefunded: counts.filter((c) => c === 0).length }).toEqual({ refundedTwice: 0, notRefunded: 0 });
    } finally {
      await swept.close();
    }
  }, 40_000);

  it('refuses a check-in that arrives while the buyer’s refund is under way', async () => {
    const eventId = newEvent();
    const { orderId, code, paymentId } = await buy('ada', eventId, 'ORCH-A-1');
    const refund = t.payments.holdRefunds();
    let cancelling: ReturnType<typeof post> | undefined;
    try {
      cancelling = post(t, 'ada', `/api/orders/${orderId}/cancel`);
      await refund.reached; // claimed, its refund waiting at the provider
      expect((await stored(orderId)).status).toBe('CANCELLING');
      const door = await post(t, 'olga', `/api/tickets/${code}/check-in`, undefined, 'organizer');
      expect(door.statusCode).toBe(409);
      expect(door.json().type).toMatch(/ticket-void$/);
    } finally {
      refund.release();
    }
    const cancelled = await cancelling;
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED', tickets: [{ status: 'VOID', checkedInAt: null }] });
    expect(cancelled.json().refund).toBeUndefined();
    expect(refundsOf(paymentId, t)).toBe(1);
    expect(await seatStatus(eventId, 'ORCH-A-1')).toBe('AVAILABLE');
  });

  it('refunds once when the buyer cancels twice at the same time: the second answers 200, refund pending', async () => {
    const eventId = newEvent();
    const { orderId, paymentId } = await buy('abe', eventId, 'ORCH-B-1');
    const refund = t.payments.holdRefunds();
    let first: ReturnType<typeof post> | undefined;
    try {
      first = post(t, 'abe', `/api/orders/${orderId}/cancel`);
      await refund.reached;
      const second = await post(t, 'abe', `/api/orders/${orderId}/cancel`);
      expect(second.statusCode).toBe(200);
      expect(second.json()).toMatchObject({ status: 'CANCELLED', refund: 'PENDING', tickets: [{ status: 'VOID' }] });
    } finally {
      refund.release();
    }
    expect((await first).statusCode).toBe(200);
    expect(refundsOf(paymentId, t)).toBe(1);
  });

  it('refuses the buyer’s cancel of an order whose ticket only its ticket row shows checked in (an older instance, mid-upgrade)', async () => {
    const eventId = newEvent();
    const { orderId, code, paymentId } = await buy('bea', eventId, 'ORCH-A-2');
    await t.database.db.updateTable('tickets').set({ checked_in_at: t.now() }).where('code', '=', code).execute();
    const refused = await post(t, 'bea', `/api/orders/${orderId}/cancel`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().type).toMatch(/order-checked-in$/);
    expect((await stored(orderId)).status).toBe('CONFIRMED');
    expect(refundsOf(paymentId, t)).toBe(0);
  });

  it('voids the tickets with the claim, so that an instance of the previous release (it checks the ticket alone) refuses them too', async () => {
    const eventId = newEvent();
    const { orderId, code } = await buy('ben', eventId, 'ORCH-B-2');
    // Claimed, not finished: as a crash or a failing provider leaves it.
    expect(await createOrderRepository(t.database.db).claimCancellation(await stored(orderId), t.now(), t.now() + 5_000, false)).toBeDefined();
    // Yesterday's check-in (commit 8453624, ticket.repository.ts), which never looks at the order.
    const previousRelease = await t.database.db
      .updateTable('tickets')
      .set({ checked_in_at: t.now() })
      .where('code', '=', code)
      .where('status', '=', 'VALID')
      .where('checked_in_at', 'is', null)
      .executeTakeFirst();
    expect(Number(previousRelease.numUpdatedRows)).toBe(0);
    const ticket = await t.database.db.selectFrom('tickets').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ status: 'VOID', valid_seat_id: null, checked_in_at: null });
    // The sweeper finishes it (and so leaves no claimed order to the next tests).
    t.advance(6_000);
    await t.app.booking.sweeper.sweepOnce();
    expect((await stored(orderId)).status).toBe('CANCELLED');
  });

  it('retries a cancellation whose refund failed from the sweeper, with growing pauses, until the provider takes it; its seat is on sale meanwhile, and stays its new buyer\'s', async () => {
    const eventId = newEvent();
    const { orderId, paymentId } = await buy('cid', eventId, 'ORCH-A-3');
    t.payments.refundsFailing = true;
    let resold: { orderId: string; code: string } | undefined;
    try {
      const pending = await post(t, 'cid', `/api/orders/${orderId}/cancel`);
      expect(pending.statusCode).toBe(200);
      expect(pending.json()).toMatchObject({ status: 'CANCELLED', refund: 'PENDING', tickets: [{ status: 'VOID' }] });
      const first = await stored(orderId);
      expect(first).toMatchObject({ status: 'CANCELLING', cancel_attempts: 1 });
      expect(first.cancel_last_error).toContain('refuses refunds');
      // The refund is the order's money, not its seat: back on sale at once, and sold again.
      expect(await seatStatus(eventId, 'ORCH-A-3')).toBe('AVAILABLE');
      resold = await buy('cora', eventId, 'ORCH-A-3');
      expect(await seatStatus(eventId, 'ORCH-A-3')).toBe('BOOKED');
      // Not due yet: a sweep leaves it.
      await t.app.booking.sweeper.sweepOnce();
      expect((await stored(orderId)).cancel_attempts).toBe(1);
      // Due, the provider still failing: tried again, and the next pause is longer.
      t.advance(6_000);
      await t.app.booking.sweeper.sweepOnce();
      const second = await stored(orderId);
      expect(second).toMatchObject({ status: 'CANCELLING', cancel_attempts: 2 });
      expect(Number(second.cancel_next_attempt_at)).toBeGreaterThanOrEqual(t.now() + 10_000 - 100);
    } finally {
      t.payments.refundsFailing = false;
    }
    t.advance(11_000);
    await t.app.booking.sweeper.sweepOnce();
    expect((await stored(orderId)).status).toBe('CANCELLED');
    expect(refundsOf(paymentId, t)).toBe(1);
    // The finish freed nothing of the new buyer's: the seat is theirs, and their ticket admits them.
    expect(await seatStatus(eventId, 'ORCH-A-3')).toBe('BOOKED');
    const seat = await t.database.db.selectFrom('seats').select(['order_id', 'status']).where('event_id', '=', eventId).where('seat_id', '=', 'ORCH-A-3').executeTakeFirstOrThrow();
    expect(seat).toEqual({ order_id: resold?.orderId, status: 'BOOKED' });
    const door = await post(t, 'olga', `/api/tickets/${resold?.code}/check-in`, undefined, 'organizer');
    expect(door.statusCode).toBe(200);
  });

  it('cancels eight orders of one event, each by three racing requests, while buyers hold its other seats: every request answered, each order refunded once, its seat on sale', async () => {
    const eventId = newEvent();
    const bought = [];
    for (let i = 1; i <= 8; i++) bought.push(await buy(`racer-${i}`, eventId, `ORCH-C-${i}`));
    const cancels = bought.flatMap(({ orderId }, i) => Array.from({ length: 3 }, () => post(t, `racer-${i + 1}`, `/api/orders/${orderId}/cancel`)));
    const holds = Array.from({ length: 16 }, (_, i) => post(t, `holder-${i}`, '/api/holds', { eventId, seatIds: [`ORCH-${i < 10 ? 'A' : 'B'}-${(i % 10) + 1}`] }));
    const [cancelled, held] = await Promise.all([Promise.all(cancels), Promise.all(holds)]);
    expect(cancelled.map((r) => r.statusCode)).toEqual(Array(24).fill(200));
    expect(held.map((r) => r.statusCode)).toEqual(Array(16).fill(201));
    for (const { orderId, paymentId } of bought) {
      expect(refundsOf(paymentId, t)).toBe(1);
      expect((await stored(orderId)).status).toBe('CANCELLED');
    }
    for (let i = 1; i <= 8; i++) expect(await seatStatus(eventId, `ORCH-C-${i}`)).toBe('AVAILABLE');
    // Each seat's change was logged once, with the claim: the finish found nothing left to free.
    const log = await t.database.db.selectFrom('seat_changes').select('changes_json').where('event_id', '=', eventId).execute();
    const freed = log.flatMap((entry) => (JSON.parse(entry.changes_json) as Array<{ seatId: string; status: string }>).filter((c) => c.seatId.startsWith('ORCH-C-') && c.status === 'AVAILABLE'));
    expect(freed.map((c) => c.seatId).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `ORCH-C-${i + 1}`).sort());
  });

  it('frees the seats of an order that the previous release claimed without freeing them, at the finish', async () => {
    const eventId = newEvent();
    const { orderId, paymentId } = await buy('dee', eventId, 'ORCH-A-6');
    // The previous release's claim (commit 45fa28a): the order and its tickets only.
    await t.database.db.updateTable('orders').set({ status: 'CANCELLING', cancelled_at: t.now(), cancel_next_attempt_at: t.now() }).where('id', '=', orderId).execute();
    await t.database.db.updateTable('tickets').set({ status: 'VOID', valid_seat_id: null }).where('order_id', '=', orderId).execute();
    expect(await seatStatus(eventId, 'ORCH-A-6')).toBe('BOOKED');
    t.advance(1_000);
    await t.app.booking.sweeper.sweepOnce();
    expect((await stored(orderId)).status).toBe('CANCELLED');
    expect(refundsOf(paymentId, t)).toBe(1);
    expect(await seatStatus(eventId, 'ORCH-A-6')).toBe('AVAILABLE');
  });

  it('finishes, once, a cancellation that a crash left claimed, even with two instances sweeping', async () => {
    const eventId = newEvent();
    const { orderId, code, paymentId } = await buy('dot', eventId, 'ORCH-A-4');
    // What a process that died right after the claim leaves: the order claimed, nothing refunded.
    expect(await createOrderRepository(t.database.db).claimCancellation(await stored(orderId), t.now(), t.now() + 5_000, false)).toBeDefined();
    const door = await post(t, 'olga', `/api/tickets/${code}/check-in`, undefined, 'organizer');
    expect(door.statusCode).toBe(409);
    expect(door.json().type).toMatch(/ticket-void$/);

    const other = await createBookingTestApp(dialect, { catalogue, databaseUrl: t.databaseUrl, settings: { paymentTimeoutMs: 1_000 } });
    try {
      // Left to the request that claimed it until its time is up.
      await Promise.all([t.app.booking.sweeper.sweepOnce(), other.app.booking.sweeper.sweepOnce()]);
      expect(refundsOf(paymentId, t, other)).toBe(0);
      t.advance(6_000);
      other.advance(6_000);
      // The first sweep takes the order and is held mid-refund while the second sweeps in full.
      const refund = t.payments.holdRefunds();
      let first: Promise<number> | undefined;
      try {
        first = t.app.booking.sweeper.sweepOnce();
        await refund.reached;
        await other.app.booking.sweeper.sweepOnce();
        expect(refundsOf(paymentId, other)).toBe(0);
      } finally {
        refund.release();
      }
      await first;
      expect(refundsOf(paymentId, t, other)).toBe(1);
      expect((await stored(orderId)).status).toBe('CANCELLED');
      expect(await seatStatus(eventId, 'ORCH-A-4')).toBe('AVAILABLE');
    } finally {
      await other.close();
    }
    // The buyer's cancel now answers with the cancelled order, refunding nothing more.
    const again = await post(t, 'dot', `/api/orders/${orderId}/cancel`);
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('CANCELLED');
    expect(refundsOf(paymentId, t)).toBe(1);
  });

  it('tells a buyer whose payment the event’s cancellation overtook that the event is not on sale, and refunds the charge once', async () => {
    const eventId = newEvent();
    const hold = await post(t, 'gil', '/api/holds', { eventId, seatIds: ['ORCH-B-5'] });
    const refundsBefore = t.payments.refundLog.length;
    // Long enough for the cancellation below to be handled while the provider is charging, and
    // within this app's payment timeout (1 s).
    t.payments.chargeDelayMs = 800;
    try {
      const paying = post(t, 'gil', '/api/orders', { holdId: hold.json().holdId, payment: { token: 'tok_ok' } });
      // The payment is under way once its attempt is written down (just before the charge).
      await vi.waitFor(async () => {
        expect(await t.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', hold.json().holdId).executeTakeFirst()).toBeDefined();
      }, { timeout: 5_000, interval: 10 });
      catalogue.update(eventId, { status: 'CANCELLED' });
      const message = { id: `cancel-${eventId}`, type: 'event.cancelled', eventId, occurredAt: new Date(t.now()).toISOString() };
      expect((await t.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: t.internal, payload: message })).json()).toMatchObject({ outcome: 'processed' });
      const paid = await paying;
      expect(paid.statusCode).toBe(409);
      // It had said "Hold … is RELEASED", as if the buyer had let it go.
      expect(paid.json().type).toMatch(/event-not-on-sale$/);
      expect(paid.json().detail).toMatch(/cancelled/);
    } finally {
      t.payments.chargeDelayMs = 0;
    }
    // The one charge made was refunded, once.
    expect(t.payments.refundLog.slice(refundsBefore)).toEqual([{ paymentId: expect.any(String), amountCents: hold.json().totalCents }]);
  });

  it('answers 410 to a payment whose hold ran out, or was let go, while the provider was charging, and refunds the charge', async () => {
    for (const end of ['expired', 'released'] as const) {
      const eventId = newEvent();
      const holdId = (await post(t, 'carol', '/api/holds', { eventId, seatIds: ['ORCH-C-2'] })).json().holdId as string;
      const refundsBefore = t.payments.refundLog.length;
      // Within this app's payment timeout (1 s), long enough for the hold to end meanwhile.
      t.payments.chargeDelayMs = 600;
      try {
        const paying = post(t, 'carol', '/api/orders', { holdId, payment: { token: 'tok_ok' } });
        await eventually(() => t.database.db.selectFrom('payment_attempts').select('reference').where('hold_id', '=', holdId).executeTakeFirst(), 5_000, 'the payment attempt');
        if (end === 'expired') {
          t.advance(601_000);
          expect(await t.app.booking.sweeper.sweepOnce()).toBeGreaterThan(0);
        } else {
          expect((await t.app.inject({ method: 'DELETE', url: `/api/holds/${holdId}`, headers: await t.auth('carol') })).statusCode).toBe(204);
        }
        const paid = await paying;
        // It had been a 409 "Hold … is EXPIRED", which the web app did not take for the end of the hold.
        expect(paid.statusCode, end).toBe(410);
        expect(paid.json().type).toMatch(/hold-expired$/);
      } finally {
        t.payments.chargeDelayMs = 0;
      }
      expect(t.payments.refundLog.slice(refundsBefore), end).toEqual([{ paymentId: expect.any(String), amountCents: expect.any(Number) }]);
      expect(await seatStatus(eventId, 'ORCH-C-2')).toBe('AVAILABLE');
    }
  });

  it('handles an event’s cancellation while the provider refuses refunds: every order claimed at once, refunded by the sweeper later', async () => {
    const eventId = newEvent();
    const orders = [await buy('eve', eventId, 'ORCH-A-5'), await buy('fay', eventId, 'ORCH-A-6')];
    catalogue.update(eventId, { status: 'CANCELLED' });
    t.payments.refundsFailing = true;
    try {
      const message = { id: `cancel-${eventId}`, type: 'event.cancelled', eventId, occurredAt: new Date(t.now()).toISOString() };
      const handled = await t.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: t.internal, payload: message });
      expect(handled.json()).toMatchObject({ outcome: 'processed' });
      for (const { orderId, code } of orders) {
        expect((await stored(orderId)).status).toBe('CANCELLING');
        expect((await post(t, 'olga', `/api/tickets/${code}/check-in`, undefined, 'organizer')).statusCode).toBe(409);
      }
    } finally {
      t.payments.refundsFailing = false;
    }
    t.advance(6_000);
    await t.app.booking.sweeper.sweepOnce();
    for (const { orderId, paymentId } of orders) {
      expect((await stored(orderId)).status).toBe('CANCELLED');
      expect(refundsOf(paymentId, t)).toBe(1);
    }
  });
});
