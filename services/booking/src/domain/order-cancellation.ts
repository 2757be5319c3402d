/**
 * Cancelling an order in three steps that a crash or a failing payment provider cannot leave
 * half-done. 1. Claim: CONFIRMED → CANCELLING in one conditional write on the order's row — from
 * then on none of its tickets checks in, and a buyer's claim fails if one already has; its tickets
 * are voided (an older instance, mid-upgrade, checks tickets in without looking at the order) and
 * its seats go back on sale in the same transaction. 2. Refund through the provider. 3. Finish:
 * CANCELLED. A claim is never undone (a refund that timed out may still go through): when the
 * refund or the finish fails, or the process dies between the steps, the sweeper refunds and
 * finishes the order later, retrying with growing pauses. So an order is never CANCELLED before its
 * money went back, a provider refusing refunds keeps no seat off sale, and a buyer's order is never
 * refunded once one of its tickets is checked in (the event's organiser, an admin, or the event's
 * cancellation may still cancel it: they claim it whatever its check-ins). A refund
 * is only ever attempted by whoever holds the order's lease (`cancel_next_attempt_at`, taken with
 * a conditional write): the claimer, a repeated cancel once the order is due, or one sweeper. */
import type { OrderRepository } from '../db/order.repository.js';
import type { OrderTable } from '../db/schema.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';
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

/** How a request's attempt at a claimed cancellation ended. */
type CompleteOutcome = 'finished' | 'pending' | 'elsewhere';

export function createOrderCancellation(deps: OrderCancellationDeps) {
  /**
   * Refunds and finishes a claimed (CANCELLING) order now, if it can take its lease — a conditional
   * write from the `cancel_next_attempt_at` last seen (`seenNextAttemptAt`: the lease a claim
   * returned, or the time read once it has come) to now + resumeAfterMs; on failure schedules the
   * next try (the sweeper's). Whoever holds the lease is the only one refunding the order: the
   * sweeper takes only an order whose time has come, and a lease outlasts one refund (it times out
   * after the payment timeout). 'elsewhere' when another request or sweeper took it first.
   */
  async function complete(order: OrderTable, seenNextAttemptAt: number): Promise<CompleteOutcome> {
    // Never the value seen: a conditional write that changes nothing would let a second taker win too.
    const lease = Math.max(deps.clock() + deps.resumeAfterMs, seenNextAttemptAt + 1);
    if (!(await deps.orders.leaseCancellation(order.id, seenNextAttemptAt, lease))) return 'elsewhere';
    try {
      // Providers treat a repeated refund of one payment as one refund: a retry after a refund
      // that went through but whose finish failed refunds nothing twice.
      await deps.refunds.refund(order.payment_id, order.total_cents);
      const result = await deps.orders.finishCancellation(order, deps.clock());
      if (result?.batch) deps.bus.publish(result.batch);
      return 'finished';
    } catch (error) {
      const attempts = order.cancel_attempts + 1;
      const nextAttemptAt = deps.clock() + retryPauseMs(attempts);
      // Only while still holding the lease. If this fails too, the lease runs out and the order is due again.
      await deps.orders
        .rescheduleCancellation(order.id, lease, attempts, nextAttemptAt, error instanceof Error ? error.message : String(error))
        .catch(() => undefined);
      deps.onRetry?.(order.id, attempts, nextAttemptAt, error);
      return 'pending';
    }
  }

  return {
    /**
     * Claims a CONFIRMED order for cancellation, voids its tickets and puts its seats back on sale
     * (published once committed); the time until which the claimer holds it (its lease), or
     * undefined if it was not CONFIRMED any more. Unless `checkedInAllowed`, throws OrderCheckedIn
     * (nothing changed) when a ticket of it was checked in.
     */
    async claim(order: OrderTable, checkedInAllowed: boolean): Promise<number | undefined> {
      const now = deps.clock();
      const resumeAt = now + deps.resumeAfterMs;
      const claimed = await deps.orders.claimCancellation(order, now, resumeAt, checkedInAllowed);
      if (!claimed) return undefined;
      if (claimed.batch) deps.bus.publish(claimed.batch);
      return resumeAt;
    },

    complete,

    /**
     * One pass over the claimed cancellations whose time has come (a crash, a failed refund). A
     * provider that fails ends the pass: the others wait for the next one.
     */
    async resumeDue(now: number): Promise<void> {
      for (const order of await deps.orders.cancellationsDue(now, BATCH)) {
        // Never null for a due order (the query compares it); the check only narrows the type.
        if (order.cancel_next_attempt_at === null) continue;
        if ((await complete(order, order.cancel_next_attempt_at)) === 'pending') break;
      }
    },
  };
}
export type OrderCancellation = ReturnType<typeof createOrderCancellation>;
