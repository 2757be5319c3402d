/**
 * Money back, even when the payment provider is down. A refund that fails is recorded as owed
 * and retried with growing pauses (5 s, 10 s, 20 s … at most an hour apart) until the provider
 * takes it; providers treat a repeated refund of one payment as one refund.
 */
import type { RefundRepository } from '../db/refund.repository.js';
import type { PaymentProvider } from './payment-provider.js';

export interface RefundsDeps {
  payments: PaymentProvider;
  refundsDue: RefundRepository;
  clock: () => number;
  onOwed?: (paymentId: string, error: unknown) => void;
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
const BATCH = 100;

export function retryPauseMs(attempts: number): number {
  return Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.max(0, attempts - 1));
}

export function createRefunds(deps: RefundsDeps) {
  return {
    /** Refunds now; if the provider fails, records the refund as owed instead of losing it. */
    async refundOrOwe(request: RefundRequest): Promise<'refunded' | 'owed'> {
      try {
        await deps.payments.refund(request.paymentId, request.amountCents);
        return 'refunded';
      } catch (error) {
        const now = deps.clock();
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
        deps.onOwed?.(request.paymentId, error);
        return 'owed';
      }
    },

    /** One pass over the refunds owed whose time has come; how many were settled. */
    async retryDue(now: number): Promise<number> {
      let settled = 0;
      for (const due of await deps.refundsDue.due(now, BATCH)) {
        try {
          await deps.payments.refund(due.payment_id, due.amount_cents);
          await deps.refundsDue.settled(due.payment_id);
          settled++;
        } catch (error) {
          const attempts = due.attempts + 1;
          await deps.refundsDue.reschedule(due.payment_id, attempts, now + retryPauseMs(attempts), error instanceof Error ? error.message : String(error));
        }
      }
      return settled;
    },
  };
}
export type Refunds = ReturnType<typeof createRefunds>;
