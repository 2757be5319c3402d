/**
 * Cancelling an order in three steps that a crash or a failing payment provider cannot leave
 * half-done. 1. Claim: CONFIRMED → CANCELLING in one conditional write on the order's row — from
 * then on none of its tickets checks in, and a buyer's claim fails if one already has. 2. Refund
 * through the provider. 3. Finish: CANCELLED, tickets void, seats back on sale. A claim is never
 * undone (a refund that timed out may still go through): when the refund or the finish fails, or
 * the process dies between the steps, the sweeper refunds and finishes the order later, retrying
 * with growing pauses. So an order is never CANCELLED before its money went back, and a buyer's
 * order is never refunded once one of its tickets is checked in (the event's organiser, an admin,
 * or the event's cancellation may still cancel it: they claim it whatever its check-ins).
 */
import type { OrderRepository } from '../db/order.repository.js';
import type { OrderTable } from '../db/schema.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';
import { CancellationPending } from './booking-errors.js';
import { type Refunds, retryPauseMs } from './refunds.js';

export interface OrderCancellationDeps {
  orders: OrderRepository;
  refunds: Refunds;
  bus: SeatChangeBus;
  clock: () => number;
  /**
   * How long a claimed cancellation is left to the request that claimed it before the sweeper
   * takes over — and how long a sweeper holds one it took: longer than a refund may take.
   */
  resumeAfterMs: number;
  /** A refund or finish failed; the cancellation is retried at `nextAttemptAt`. */
  onRetry?: (orderId: string, attempts: number, nextAttemptAt: number, error: unknown) => void;
}

/** Cancellations finished per sweep at most: the sweep has other work, and must not wait long. */
const BATCH = 10;

export function createOrderCancellation(deps: OrderCancellationDeps) {
  /** Refunds and finishes; on failure schedules the next try and returns the error. */
  async function attempt(order: OrderTable): Promise<{ error: unknown } | undefined> {
    try {
      // Providers treat a repeated refund of one payment as one refund: a retry after a refund
      // that went through but whose finish failed refunds nothing twice.
      await deps.refunds.refund(order.payment_id, order.total_cents);
      const result = await deps.orders.finishCancellation(order, deps.clock());
      if (result?.batch) deps.bus.publish(result.batch);
      return undefined;
    } catch (error) {
      const attempts = order.cancel_attempts + 1;
      const nextAttemptAt = deps.clock() + retryPauseMs(attempts);
      // If this fails too, the claim's own schedule (or the sweeper's hold) brings the order back.
      await deps.orders
        .rescheduleCancellation(order.id, attempts, nextAttemptAt, error instanceof Error ? error.message : String(error))
        .catch(() => undefined);
      deps.onRetry?.(order.id, attempts, nextAttemptAt, error);
      return { error };
    }
  }

  return {
    /**
     * Claims a CONFIRMED order for cancellation; false if it was not CONFIRMED any more. Unless
     * `checkedInAllowed`, throws OrderCheckedIn (nothing changed) when a ticket of it was checked in.
     */
    claim(order: OrderTable, checkedInAllowed: boolean): Promise<boolean> {
      const now = deps.clock();
      return deps.orders.claimCancellation(order.id, now, now + deps.resumeAfterMs, checkedInAllowed);
    },

    /** Refunds and finishes a claimed (CANCELLING) order now; CancellationPending (503) when that fails. */
    async complete(order: OrderTable): Promise<void> {
      if (await attempt(order)) throw new CancellationPending(order.id);
    },

    /** Like `complete`, but a failure is left to the sweeper without a word; true if it finished. */
    async tryComplete(order: OrderTable): Promise<boolean> {
      return (await attempt(order)) === undefined;
    },

    /**
     * One pass over the claimed cancellations whose time has come (a crash, a failed refund); how
     * many were finished. A provider that fails ends the pass: the others wait for the next one.
     */
    async resumeDue(now: number): Promise<number> {
      let finished = 0;
      for (const order of await deps.orders.cancellationsDue(now, BATCH)) {
        if (!(await deps.orders.leaseCancellation(order, now + deps.resumeAfterMs))) continue;
        if (await attempt(order)) break;
        finished++;
      }
      return finished;
    },
  };
}
export type OrderCancellation = ReturnType<typeof createOrderCancellation>;
