/**
 * Orders: pay for a hold and book its seats (order-placement.ts), read orders, cancel them (refund,
 * seats back on sale), check tickets in at the door, and refund everything when the catalogue
 * cancels an event.
 */
import { type CallContext, DependencyUnavailable, type Principal } from '@stream-seat/platform';
import type { OrderWithTickets } from '../db/order.repository.js';
import type { OrderTable, TicketTable } from '../db/schema.js';
import type { TicketRepository } from '../db/ticket.repository.js';
import { EventStarted, OrderNotFound, TicketForAnotherEvent, TicketNotFound } from './booking-errors.js';
import type { OrderCancellation } from './order-cancellation.js';
import { createOrderPlacement, type OrderPlacementDeps } from './order-placement.js';
import { canonicalTicketCode } from './ticket-code.js';

export interface OrderServiceDeps extends OrderPlacementDeps {
  /** Also the event's start, for a buyer's cancel. */
  catalogue: OrderPlacementDeps['catalogue'];
  tickets: TicketRepository;
  cancellation: OrderCancellation;
}

export function createOrderService(deps: OrderServiceDeps) {
  const placement = createOrderPlacement(deps);

  /** Its buyer, the event's organizer, or an admin may see and cancel an order. */
  async function mayManage(principal: Principal, order: OrderTable): Promise<boolean> {
    return order.buyer_id === principal.sub || deps.inventory.isOrganizerOrAdmin(principal, order.event_id);
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

  /** An admin, or the organizer of the order's event — whoever the buyer is and whatever their token's role. */
  async function mayOverride(principal: Principal, order: OrderTable): Promise<boolean> {
    return deps.inventory.isOrganizerOrAdmin(principal, order.event_id);
  }

  return {
    /** `caller`: the request, whose trace a catalogue call on a cache miss carries. */
    place: placement.place,

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
      // Another organizer's ticket is not theirs to see: answered like an unknown code.
      if (!(await deps.inventory.isOrganizerOrAdmin(principal, ticket.event_id))) throw new TicketNotFound();
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
