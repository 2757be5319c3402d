/**
 * Orders: pay for a hold and book its seats, read orders, cancel them (refund, seats back on
 * sale), check tickets in at the door, and refund everything when the catalogue cancels an event.
 */
import { randomUUID } from 'node:crypto';
import pTimeout from 'p-timeout';
import type { CreateOrderRequest } from '@stream-seat/contracts';
import { isCommitOutcomeUnknown } from '@stream-seat/db';
import { type CallContext, DependencyUnavailable, type Principal } from '@stream-seat/platform';
import type { HoldRepository } from '../db/hold.repository.js';
import type { OrderRepository, OrderWithTickets } from '../db/order.repository.js';
import type { PaymentAttemptRepository } from '../db/payment-attempt.repository.js';
import type { HoldTable, OrderTable, TicketTable } from '../db/schema.js';
import type { TicketRepository } from '../db/ticket.repository.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';
import {
  EventNotOnSale,
  EventStarted,
  HoldExpired,
  HoldNotActive,
  HoldNotFound,
  OrderNotFound,
  PaymentDeclined,
  PaymentTimeout,
  TicketForAnotherEvent,
  TicketNotFound,
} from './booking-errors.js';
import type { CatalogueClient } from './catalogue-client.js';
import type { InventoryService } from './inventory-service.js';
import type { OrderCancellation } from './order-cancellation.js';
import type { PaymentProvider } from './payment-provider.js';
import type { Refunds } from './refunds.js';
import { canonicalTicketCode, newTicketCode } from './ticket-code.js';

/** The payment id of a free order (nothing charged): the prefix, then the order's id. */
export const FREE_ORDER_PAYMENT_PREFIX = 'free:';

export interface OrderServiceDeps {
  holds: HoldRepository;
  orders: OrderRepository;
  tickets: TicketRepository;
  inventory: InventoryService;
  /** The event's start, for a buyer's cancel, and whether it is cancelled, for a payment (cached by the client). */
  catalogue: CatalogueClient;
  payments: PaymentProvider;
  attempts: PaymentAttemptRepository;
  refunds: Refunds;
  cancellation: OrderCancellation;
  bus: SeatChangeBus;
  clock: () => number;
  paymentTimeoutMs: number;
  /** A hold's term (HOLD_TTL_SECONDS): how far a payment may carry it is counted from it. */
  holdTtlSeconds: number;
  /** A hold now runs out at `expiresAt` (clock time): carried on by a payment. */
  onHoldExtended?: (expiresAt: number) => void;
}

/** How long a payment waits for the catalogue's word on its event's cancellation (then goes on). */
export const CANCELLATION_CHECK_MS = 1_000;

/** Past a payment's timeout, the time its order takes to be written: how long a payment carries its hold. */
export const ORDER_WRITE_MS = 5_000;

export function createOrderService(deps: OrderServiceDeps) {
  /** The caller organises the event (the inventory header is cached: no query after the first). */
  async function organizes(principal: Principal, eventId: string): Promise<boolean> {
    return principal.role === 'organizer' && (await deps.inventory.find(eventId))?.organizer_id === principal.sub;
  }

  /** Its buyer, the event's organizer, or an admin may see and cancel an order. */
  async function mayManage(principal: Principal, order: OrderTable): Promise<boolean> {
    return principal.role === 'admin' || order.buyer_id === principal.sub || organizes(principal, order.event_id);
  }

  /**
   * When the event starts: kept in its inventory since it was made (the catalogue changes no event
   * once it is on sale). For an inventory made before that, by the catalogue — kept then in the
   * inventory — whose client keeps events briefly and serves them stale while the catalogue is
   * down; undefined when the catalogue does not know the event, or cannot be reached for one it
   * never served: a buyer is not kept from cancelling by an outage elsewhere.
   */
  async function startOf(eventId: string, caller: CallContext | undefined): Promise<string | undefined> {
    const inventory = await deps.inventory.find(eventId);
    if (inventory?.starts_at !== null && inventory?.starts_at !== undefined) return new Date(inventory.starts_at).toISOString();
    try {
      const event = await deps.catalogue.event(eventId, caller);
      if (inventory && event) await deps.inventory.keepTerms(inventory, event);
      return event?.startsAt;
    } catch (error) {
      if (error instanceof DependencyUnavailable) return undefined;
      throw error;
    }
  }

  /**
   * The catalogue says the event is cancelled (its client keeps events a few seconds). One it
   * cannot be asked about, or not within CANCELLATION_CHECK_MS, is taken as not cancelled: a
   * payment waits on an outage elsewhere no longer than that, and the cancellation's message
   * closes the inventory when it comes.
   */
  async function cancelledInCatalogue(eventId: string, caller: CallContext | undefined): Promise<boolean> {
    try {
      const event = await pTimeout(deps.catalogue.event(eventId, caller), { milliseconds: CANCELLATION_CHECK_MS, message: false });
      return event?.id === eventId && event.status === 'CANCELLED';
    } catch (error) {
      if (error instanceof DependencyUnavailable) return false;
      throw error;
    }
  }

  /** An admin, or the organizer of the order's event — whoever the buyer is and whatever their token's role. */
  async function mayOverride(principal: Principal, order: OrderTable): Promise<boolean> {
    return principal.role === 'admin' || organizes(principal, order.event_id);
  }

  async function charge(amountCents: number, currency: string, token: string, reference: string) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new PaymentTimeout(deps.paymentTimeoutMs)), deps.paymentTimeoutMs);
    try {
      return await deps.payments.charge({ amountCents, currency, token, reference }, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) throw new PaymentTimeout(deps.paymentTimeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The buyer's hold, still running — or why it cannot be paid for. */
  async function payableHold(principal: Principal, holdId: string): Promise<HoldTable> {
    const hold = await deps.holds.find(holdId);
    if (!hold || hold.buyer_id !== principal.sub) throw new HoldNotFound(holdId);
    if (hold.status === 'ORDERED') throw new HoldNotActive(hold.id, 'ORDERED', await deps.holds.orderIdOf(hold.id));
    // Released by the event's cancellation: say so (409), not that the hold ran out (410).
    if (hold.status === 'RELEASED' && (await deps.inventory.current(hold.event_id))?.status === 'CLOSED') {
      throw new EventNotOnSale(hold.event_id, 'it was cancelled');
    }
    if (hold.status !== 'ACTIVE' || hold.expires_at <= deps.clock()) throw new HoldExpired(hold.id);
    return hold;
  }

  /**
   * A payment begun in the hold's last moments would be charged, then refunded, its seats lost
   * when the hold ran out on the way: the hold is carried until the payment can be through (its
   * timeout, then the order's writing). Never further than that past the hold's own term, however
   * many payments are tried (declined cards do not keep seats from sale).
   */
  async function carryThroughPayment(principal: Principal, hold: HoldTable): Promise<void> {
    const now = deps.clock();
    const carry = deps.paymentTimeoutMs + ORDER_WRITE_MS;
    const until = Math.min(now + carry, hold.created_at + deps.holdTtlSeconds * 1000 + carry);
    if (until <= hold.expires_at) return;
    const extended = await deps.holds.extend(hold, until, now);
    // Ended meanwhile (ordered, released, run out): said as for a hold found so.
    if (!extended) {
      await payableHold(principal, hold.id);
      throw new HoldExpired(hold.id);
    }
    if (extended.batch) deps.bus.publish(extended.batch);
    deps.onHoldExtended?.(until);
  }

  return {
    /** `caller`: the request, whose trace a catalogue call on a cache miss carries. */
    async place(principal: Principal, request: CreateOrderRequest, caller?: CallContext): Promise<OrderWithTickets> {
      const hold = await payableHold(principal, request.holdId);
      // Cancelled in the catalogue, its message not here yet (this service was down, the outbox
      // retrying): no charge. It had charged and confirmed, and refunded once the message came.
      if (await cancelledInCatalogue(hold.event_id, caller)) throw new EventNotOnSale(hold.event_id, 'it was cancelled');
      await carryThroughPayment(principal, hold);

      // Each attempt is its own payment (the reference is a real provider's idempotency key): two
      // racing payments for one hold are two charges, and the loser refunds only its own. The
      // attempt is written down first, so that a charge whose order never comes (a crash, a
      // timeout that charged late) is found and refunded by the reconciler.
      const orderId = randomUUID();
      await deps.attempts.begin({
        reference: orderId,
        hold_id: hold.id,
        amount_cents: hold.total_cents,
        currency: hold.currency,
        payment_id: null,
        created_at: deps.clock(),
        recheck_at: null,
      });
      let paymentId: string;
      try {
        // A free order (every seat priced 0) charges nothing, whatever its token (a card that
        // would be declined does not keep a free ticket); refunds of it give back nothing either.
        ({ paymentId } =
          hold.total_cents === 0 ? { paymentId: `${FREE_ORDER_PAYMENT_PREFIX}${orderId}` } : await charge(hold.total_cents, hold.currency, request.payment.token, orderId));
      } catch (error) {
        // Declined: nothing was charged. Anything else may have charged: the attempt stays. Either
        // way the hold stays as it was.
        if (error instanceof PaymentDeclined) await deps.attempts.take(orderId);
        throw error;
      }
      await deps.attempts.charged(orderId, paymentId);
      const now = deps.clock();
      const seatIds = JSON.parse(hold.seat_ids_json) as string[];
      const order: OrderTable = {
        id: orderId,
        event_id: hold.event_id,
        buyer_id: principal.sub,
        hold_id: hold.id,
        status: 'CONFIRMED',
        seat_ids_json: hold.seat_ids_json,
        total_cents: hold.total_cents,
        currency: hold.currency,
        payment_id: paymentId,
        created_at: now,
        cancelled_at: null,
        checked_in_tickets: 0,
        cancel_attempts: 0,
        cancel_next_attempt_at: null,
        cancel_last_error: null,
      };
      const tickets: TicketTable[] = seatIds.map((seatId) => ({
        code: newTicketCode(),
        order_id: orderId,
        event_id: hold.event_id,
        seat_id: seatId,
        status: 'VALID',
        valid_seat_id: seatId,
        checked_in_at: null,
      }));
      try {
        const batch = await deps.orders.confirm(hold, order, tickets, now);
        deps.bus.publish(batch);
      } catch (error) {
        // A COMMIT whose answer was lost (the connection dropped) may have committed: then the
        // order stands, and refunding it would leave valid tickets unpaid. Not refunded here: if
        // it did not commit, its attempt (which the order's transaction takes) is still there, and
        // the reconciler refunds it once it counts as abandoned.
        if (isCommitOutcomeUnknown(error)) throw error;
        // Else nothing committed — the seats were lost (expiry, a cancelled event, a parallel
        // order), or the database failed mid-way: give the money back, now, or, when the provider
        // fails, later from the refunds owed. The attempt is taken off first, so that the
        // reconciler does not refund it too; refunding twice would be harmless, so a take that
        // fails (or whose answer was lost) does not stop the refund. The buyer hears why the
        // order failed either way, not about the refund's trouble.
        await deps.attempts.take(orderId).catch(() => false);
        await deps.refunds.refundOrOwe({
          paymentId,
          amountCents: hold.total_cents,
          currency: hold.currency,
          holdId: hold.id,
          reason: `order ${orderId} not confirmed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200),
        });
        throw error;
      }
      return { order, tickets };
    },

    async get(principal: Principal, orderId: string): Promise<OrderWithTickets> {
      const found = await deps.orders.find(orderId);
      if (!found || !(await mayManage(principal, found.order))) throw new OrderNotFound(orderId);
      return found;
    },

    list(principal: Principal, limit: number, before?: { createdAt: number; id: string }) {
      return deps.orders.listByBuyer(principal.sub, limit, before);
    },

    /**
     * Cancels: refund, seats back on sale (see order-cancellation.ts); cancelling a cancelled order
     * answers with it again. Its buyer may cancel until a ticket of it is checked in (no refund for
     * a seat already used), the event's organiser and admins at any time. The claim decides that on
     * the order's row, against the check-ins' count: a check-in at the same instant either comes
     * first (409 here) or is refused. The order comes back CANCELLING when its refund is not through
     * yet: it failed (retried in the background), or another request or sweeper holds the order —
     * a cancel claimed elsewhere is taken over only once its time has come, never while held.
     */
    async cancel(principal: Principal, orderId: string, caller?: CallContext): Promise<OrderWithTickets> {
      const found = await this.get(principal, orderId);
      let { order } = found;
      let lease: number | undefined;
      if (order.status === 'CONFIRMED') {
        const overrides = await mayOverride(principal, order);
        // The buyer's own cancel ends when the show starts (the organiser's and an admin's never).
        if (!overrides) {
          const startsAt = await startOf(order.event_id, caller);
          if (startsAt !== undefined && Date.parse(startsAt) <= deps.clock()) throw new EventStarted(order.event_id, startsAt);
        }
        lease = await deps.cancellation.claim(order, overrides);
      }
      if (lease === undefined) {
        // Cancelled or claimed already — or a parallel cancel claimed it just now: read it again.
        const current = order.status === 'CONFIRMED' ? ((await deps.orders.find(orderId)) ?? found) : found;
        const due = current.order.cancel_next_attempt_at;
        // Claimed elsewhere: held by that request or a sweeper until its time has come, not ours.
        if (current.order.status !== 'CANCELLING' || due === null || due > deps.clock()) return current;
        order = current.order;
        lease = due;
      }
      await deps.cancellation.complete(order, lease);
      return (await deps.orders.find(orderId)) ?? found;
    },

    /**
     * Checks a ticket in, by the event's organizer (or an admin): once only, and only while its
     * order stands; at the door of `eventId` when given, only a ticket of that event.
     */
    async checkIn(principal: Principal, code: string, eventId?: string): Promise<TicketTable> {
      // Typed at the door in any case, with O for 0 or I and L for 1: still the ticket.
      const ticket = await deps.tickets.find(canonicalTicketCode(code));
      if (!ticket) throw new TicketNotFound();
      if (principal.role !== 'admin') {
        const inventory = await deps.inventory.find(ticket.event_id);
        // Another organizer's ticket is not theirs to see: answered like an unknown code.
        if (inventory?.organizer_id !== principal.sub) throw new TicketNotFound();
      }
      if (eventId !== undefined && ticket.event_id !== eventId) throw new TicketForAnotherEvent(ticket.event_id, eventId);
      return deps.tickets.checkIn(ticket, deps.clock());
    },

    /**
     * The catalogue cancelled the event: no more sales, and every confirmed order is cancelled and
     * refunded. All are claimed first, so that none checks in any more; then refunded one by one,
     * each only if this request still holds it: an order the sweeper took meanwhile (its claim's
     * lease ran out while earlier refunds took their time) is the sweeper's to refund. One whose
     * refund fails now is finished by the sweeper later, so the message is handled either way.
     */
    async cancelEvent(eventId: string): Promise<number> {
      // Watchers hear of the cancellation first, then of the seats its holds and orders free.
      const closed = await deps.inventory.close(eventId);
      if (closed) deps.bus.publish(closed);
      // Closed, the event takes no order: its open holds end now (RELEASED), rather than reading
      // ACTIVE until they expire. A payment racing this loses at the closed inventory and refunds.
      for (const hold of await deps.holds.activeOfEvent(eventId)) {
        const released = await deps.holds.release(hold, 'RELEASED', deps.clock());
        if (released?.batch) deps.bus.publish(released.batch);
      }
      const orders = await deps.orders.confirmedOfEvent(eventId);
      const claimed: Array<{ order: OrderTable; lease: number }> = [];
      for (const order of orders) {
        const lease = await deps.cancellation.claim(order, true);
        if (lease !== undefined) claimed.push({ order, lease });
      }
      for (const { order, lease } of claimed) await deps.cancellation.complete(order, lease);
      return orders.length;
    },
  };
}
export type OrderService = ReturnType<typeof createOrderService>;
