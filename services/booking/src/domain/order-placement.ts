/**
 * Placing an order: a hold paid for becomes an order with its tickets — the hold checked, carried
 * through a payment begun in its last moments, the card charged, and the order written, or the
 * charge given back.
 */
import { randomUUID } from 'node:crypto';
import pTimeout from 'p-timeout';
import type { CreateOrderRequest } from '@stream-seat/contracts';
import { isCommitOutcomeUnknown } from '@stream-seat/db';
import { type CallContext, DependencyUnavailable, type Principal } from '@stream-seat/platform';
import type { HoldRepository } from '../db/hold.repository.js';
import type { AnsweringReservation } from '../db/idempotency.repository.js';
import type { OrderRepository, OrderWithTickets } from '../db/order.repository.js';
import type { PaymentAttemptRepository } from '../db/payment-attempt.repository.js';
import type { HoldTable, OrderTable, TicketTable } from '../db/schema.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';
import { EventNotOnSale, HoldExpired, HoldNotActive, HoldNotFound, PaymentDeclined, PaymentTimeout } from './booking-errors.js';
import type { CatalogueClient } from './catalogue-client.js';
import type { InventoryService } from './inventory-service.js';
import type { PaymentProvider } from './payment-provider.js';
import type { Refunds } from './refunds.js';
import { salesEndMs } from './sales-rules.js';
import { newTicketCode } from './ticket-code.js';

/** The payment id of a free order (nothing charged): the prefix, then the order's id. */
const FREE_ORDER_PAYMENT_PREFIX = 'free:';

/** How long a payment waits for the catalogue's word on its event's cancellation (then goes on). */
const CANCELLATION_CHECK_MS = 1_000;

/** Past a payment's timeout, the time its order takes to be written. */
export const ORDER_WRITE_MS = 5_000;

/**
 * How long a payment carries its hold: until it can be through (its timeout, then the order's
 * writing) — and, should its instance die mid-payment, until a repeat under its Idempotency-Key
 * has taken the key over (`takeoverAfterMs`) and paid: with a payment timeout shorter than that,
 * the repeat had found the hold run out (410).
 */
export function paymentCarryMs(paymentTimeoutMs: number, takeoverAfterMs: number): number {
  return Math.max(paymentTimeoutMs, takeoverAfterMs) + ORDER_WRITE_MS;
}

/** The order a paid hold becomes, with a ticket (an unguessable code) per seat. */
export function paidOrder(hold: HoldTable, orderId: string, paymentId: string, now: number): OrderWithTickets {
  const order: OrderTable = {
    id: orderId,
    event_id: hold.event_id,
    buyer_id: hold.buyer_id,
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
  const tickets: TicketTable[] = (JSON.parse(hold.seat_ids_json) as string[]).map((seatId) => ({
    code: newTicketCode(),
    order_id: orderId,
    event_id: hold.event_id,
    seat_id: seatId,
    status: 'VALID',
    valid_seat_id: seatId,
    checked_in_at: null,
  }));
  return { order, tickets };
}

export interface OrderPlacementDeps {
  holds: HoldRepository;
  orders: OrderRepository;
  inventory: InventoryService;
  /** Whether the event is cancelled, for a payment (cached by the client). */
  catalogue: CatalogueClient;
  payments: PaymentProvider;
  attempts: PaymentAttemptRepository;
  refunds: Refunds;
  bus: SeatChangeBus;
  clock: () => number;
  paymentTimeoutMs: number;
  /** How long a payment carries its hold (paymentCarryMs). */
  paymentCarryMs: number;
  /** A hold's term (HOLD_TTL_SECONDS): how far a payment may carry it is counted from it. */
  holdTtlSeconds: number;
  /** A hold now runs out at `expiresAt` (clock time): carried on by a payment. */
  onHoldExtended?: (expiresAt: number) => void;
}

export function createOrderPlacement(deps: OrderPlacementDeps) {
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
   * When the event's sales end (salesEndMs, as holds are cut short), from the terms its inventory
   * keeps; undefined for an inventory that did not keep them (made by an older release).
   */
  async function salesEndOf(eventId: string): Promise<number | undefined> {
    const kept = await deps.inventory.keptEvent(eventId);
    return kept && salesEndMs(kept);
  }

  /**
   * A payment begun in the hold's last moments would be charged, then refunded, its seats lost
   * when the hold ran out on the way: the hold is carried until the payment can be through (its
   * timeout, then the order's writing). Never further than that past the hold's own term (the end
   * of sales included), however many payments are tried: declined cards do not keep seats from
   * sale, nor sell them after the show began. `salesEnd`: the event's (salesEndOf).
   */
  async function carryThroughPayment(principal: Principal, hold: HoldTable, salesEnd: number | undefined): Promise<void> {
    const now = deps.clock();
    // The hold's own term, as it was made (hold-service.ts): its TTL, cut short by the end of sales.
    const term = Math.min(hold.created_at + deps.holdTtlSeconds * 1000, salesEnd ?? Infinity);
    const until = Math.min(now, term) + deps.paymentCarryMs;
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
    /**
     * `caller`: the request, whose trace a catalogue call on a cache miss carries. `reservation`:
     * its Idempotency-Key's, when it has one — no order is written once a repeat took the key over
     * (its charge is given back, as for any order not confirmed); the key's answer is stored with
     * the order.
     */
    async place(principal: Principal, request: CreateOrderRequest, caller?: CallContext, reservation?: AnsweringReservation<OrderWithTickets>): Promise<OrderWithTickets> {
      const hold = await payableHold(principal, request.holdId);
      // A hold carried past the end of sales (a card declined just before) is paid for only by the
      // payment that carried it: a new one, begun after the end, would sell a seat after the show
      // began — and its buyer could not even cancel it.
      const salesEnd = await salesEndOf(hold.event_id);
      if (salesEnd !== undefined && salesEnd <= deps.clock()) {
        throw new EventNotOnSale(hold.event_id, `sales closed at ${new Date(salesEnd).toISOString()}`);
      }
      // Cancelled in the catalogue, its message not here yet (this service was down, the outbox
      // retrying): no charge. It had charged and confirmed, and refunded once the message came.
      if (await cancelledInCatalogue(hold.event_id, caller)) throw new EventNotOnSale(hold.event_id, 'it was cancelled');
      await carryThroughPayment(principal, hold, salesEnd);

      // Each attempt is its own payment (the reference is a real provider's idempotency key): two
      // racing payments for one hold are two charges, and the loser refunds only its own. The
      // attempt is written down first, so that a charge whose order never comes (a crash, a
      // timeout that charged late) is found and refunded by the reconciler.
      // A payment whose key a repeat took over meanwhile (it had gone silent) charges nothing: the
      // repeat pays. (One taken over during its charge is refunded when its order is refused.)
      const orderId = randomUUID();
      await deps.attempts.begin(
        {
          reference: orderId,
          hold_id: hold.id,
          amount_cents: hold.total_cents,
          currency: hold.currency,
          payment_id: null,
          created_at: deps.clock(),
          recheck_at: null,
        },
        reservation,
      );
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
      const { order, tickets } = paidOrder(hold, orderId, paymentId, now);
      try {
        const batch = await deps.orders.confirm(hold, order, tickets, now, reservation);
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
  };
}
