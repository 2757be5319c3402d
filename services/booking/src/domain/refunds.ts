/**
 * Money back, even when the payment provider is down. A refund that fails is recorded as owed
 * and retried with growing pauses (5 s, 10 s, 20 s … at most an hour apart) until the provider
 * takes it, by one instance at a time (a lease on its row). Providers treat a repeated refund of
 * one payment as one refund; we do not count on it more than a crash mid-refund requires.
 */
import { ServiceUnavailable } from '@stream-seat/platform';
import pTimeout from 'p-timeout';
import type { RefundRepository } from '../db/refund.repository.js';
import type { PaymentProvider } from './payment-provider.js';

export interface RefundsDeps {
  payments: PaymentProvider;
  refundsDue: RefundRepository;
  clock: () => number;
  /** Longest wait for the provider to take one refund. */
  timeoutMs: number;
  onOwed?: (paymentId: string, error: unknown) => void;
  /** Neither refunded nor recorded (the database failed too): only the log keeps the debt. */
  onLost?: (request: RefundRequest, error: unknown) => void;
}

export interface RefundRequest {
  paymentId: string;
  amountCents: number;
  currency: string;
  holdId: string;
  reason: string;
}

const FIRST_PAUSE_MS = 5_000;
const LONGEST_PAUSE_MS = 3_600_000;
/** Refunds retried per sweep: the sweep also publishes expired holds, and must not wait long. */
const BATCH = 10;
/** A due refund's lease lasts the provider's timeout and this much more. */
const LEASE_MARGIN_MS = 30_000;

/** The pause before the next try after `attempts` failed ones: 5 s, 10 s, 20 s … at most an hour. */
export function retryPauseMs(attempts: number): number {
  return Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.max(0, attempts - 1));
}

export function createRefunds(deps: RefundsDeps) {
  /**
   * The provider's refund, given up on (not cancelled: providers refund a payment once) after the
   * timeout, with a 503: the caller may try again. Nothing to give back of a free order (nothing
   * was charged, `free:` payments): the provider is not asked.
   */
  async function refund(paymentId: string, amountCents: number): Promise<void> {
    if (amountCents === 0) return;
    await pTimeout(deps.payments.refund(paymentId, amountCents), {
      milliseconds: deps.timeoutMs,
      message: new ServiceUnavailable(`The payment provider did not answer within ${deps.timeoutMs} ms; the refund is not done, retry`),
    });
  }

  return {
    refund,
    /**
     * Refunds now; if the provider fails, records the refund as owed instead of losing it. Never
     * throws: the caller's own error (why the order failed) is what its caller must hear.
     */
    async refundOrOwe(request: RefundRequest): Promise<'refunded' | 'owed' | 'lost'> {
      try {
        await refund(request.paymentId, request.amountCents);
        return 'refunded';
      } catch (error) {
        const now = deps.clock();
        try {
          await deps.refundsDue.record({
            payment_id: request.paymentId,
            amount_cents: request.amountCents,
            currency: request.currency,
            hold_id: request.holdId,
            reason: request.reason,
            attempts: 1,
            next_attempt_at: now + retryPauseMs(1),
            last_error: error instanceof Error ? error.message : String(error),
            created_at: now,
          });
        } catch (recordError) {
          deps.onLost?.(request, recordError);
          return 'lost';
        }
        deps.onOwed?.(request.paymentId, error);
        return 'owed';
      }
    },

    /**
     * One pass over the refunds owed whose time has come (a few at a time); how many were
     * settled. A provider that fails or hangs ends the pass: the others wait for the next one.
     */
    async retryDue(now: number): Promise<number> {
      let settled = 0;
      const started = deps.clock();
      for (const due of await deps.refundsDue.due(now, BATCH)) {
        // One instance at a time asks the provider: the others' sweeps skip it while the lease
        // lasts — longer than a refund may take, counted from when it is taken (the pass's earlier
        // refunds took their time). A process that dies mid-refund leaves the lease to run out,
        // and the refund is tried again then.
        const leaseUntil = now + (deps.clock() - started) + deps.timeoutMs + LEASE_MARGIN_MS;
        if (!(await deps.refundsDue.take(due.payment_id, due.next_attempt_at, leaseUntil))) continue;
        try {
          await refund(due.payment_id, due.amount_cents);
          await deps.refundsDue.settled(due.payment_id);
          settled++;
        } catch (error) {
          const attempts = due.attempts + 1;
          // Only while the lease is still ours: another instance may have taken the row since.
          await deps.refundsDue.reschedule(due.payment_id, leaseUntil, attempts, now + retryPauseMs(attempts), error instanceof Error ? error.message : String(error));
          break;
        }
      }
      return settled;
    },
  };
}
export type Refunds = ReturnType<typeof createRefunds>;
