/**
 * An event's sales figures, for its organiser: orders, tickets and money from aggregate reads (an
 * event may have 100,000 tickets: no row is loaded), and its seats as availability counts them.
 *
 * An order counts as cancelled from its claim on (CANCELLING, then CANCELLED: clients see both as
 * cancelled). Its money leaves `revenueCents` with the claim, and enters `refundedCents` only once
 * the refund went through (CANCELLED: an order is never CANCELLED before) — while the refund is
 * pending, it is in neither. A free order counts among the orders, with 0 cents.
 */
import type { SalesSummary } from '@stream-seat/contracts';
import type { Principal } from '@stream-seat/platform';
import { isCancelledBeforeSale } from '../db/inventory.repository.js';
import type { SalesFigures } from '../db/sales.repository.js';
import type { SeatStates } from '../db/seat-state-cache.js';
import { countByStatus } from './availability.js';
import { EventNotFound } from './booking-errors.js';
import type { InventoryService } from './inventory-service.js';

export interface SalesSummaryDeps {
  inventory: InventoryService;
  /** The event's orders by status and its tickets sold, from one snapshot (sales.repository.ts). */
  figures: (eventId: string) => Promise<SalesFigures>;
  /** The event's seat statuses now, as availability reads them (InventoryRepository.snapshot). */
  seats: (eventId: string, now: number) => Promise<SeatStates | undefined>;
  clock: () => number;
}

export function createSalesSummaries(deps: SalesSummaryDeps) {
  return {
    /**
     * The figures of an event the principal runs. An event without an inventory (unknown, never on
     * sale), cancelled before it went on sale, or another organizer's: EventNotFound alike, so
     * that nobody learns which events exist.
     */
    async of(principal: Principal, eventId: string): Promise<SalesSummary> {
      const inventory = await deps.inventory.find(eventId);
      if (!inventory || isCancelledBeforeSale(inventory) || !(await deps.inventory.isOrganizerOrAdmin(principal, eventId))) {
        throw new EventNotFound(eventId);
      }
      // The seats from the live snapshot, a moment apart from the orders' figures (one snapshot).
      const [{ orders, tickets }, states] = await Promise.all([deps.figures(eventId), deps.seats(eventId, deps.clock())]);
      if (!states) throw new EventNotFound(eventId);
      const seats = countByStatus(states);
      return {
        eventId,
        currency: inventory.currency,
        orders: { confirmed: orders.CONFIRMED.orders, cancelled: orders.CANCELLING.orders + orders.CANCELLED.orders },
        tickets,
        seats: { sold: seats.BOOKED, held: seats.HELD, available: seats.AVAILABLE, total: states.layout.size },
        cancelled: states.cancelled,
        revenueCents: orders.CONFIRMED.cents,
        refundedCents: orders.CANCELLED.cents,
      };
    },
  };
}
export type SalesSummaries = ReturnType<typeof createSalesSummaries>;
