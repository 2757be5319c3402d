/**
 * Payments that never became orders: an attempt still written down long after its payment
 * should have ended was abandoned mid-way (the process died, or the provider answered too late).
 * If it was charged — known from the attempt, or asked of the provider by its reference — the
 * charge is refunded (or owed). If the provider knows of no charge, it is asked again — after as
 * long again as the attempt is old (15 min, 30 min, 1 h …) — until `lateChargeWindowMs` after the
 * attempt began, and only then is the attempt let go: a provider that answered too late may also
 * charge late, and a charge that landed after the first look was never refunded.
 */
import type { PaymentAttemptRepository } from '../db/payment-attempt.repository.js';
import type { PaymentAttemptTable } from '../db/schema.js';
import type { PaymentProvider } from './payment-provider.js';
import type { Refunds } from './refunds.js';

export interface PaymentReconcilerDeps {
  attempts: PaymentAttemptRepository;
  /** Whether the order of this reference (its id) exists. */
  orderExists(reference: string): Promise<boolean>;
  payments: PaymentProvider;
  refunds: Refunds;
  /** How old an attempt must be to count as abandoned: well past any payment's end. */
  abandonedAfterMs: number;
  /** How long after an attempt began its provider is still asked whether it charged late. */
  lateChargeWindowMs: number;
  /** An abandoned attempt that charged nothing within the window, let go. */
  onLetGo(attempt: PaymentAttemptTable): void;
  /** An abandoned attempt the provider cannot be asked about: to be reconciled by hand. */
  onUnknown(attempt: PaymentAttemptTable): void;
  /** An abandoned attempt's charge refunded (or recorded as owed): operations audit these. */
  onRefunded(attempt: PaymentAttemptTable, paymentId: string): void;
}

const BATCH = 20;

export function createPaymentReconciler(deps: PaymentReconcilerDeps) {
  /**
   * Takes the attempt off. A removal that failed may have happened (its answer lost), or may not
   * (an order's transaction holding the row, its connection dropped): it is asked again — which
   * waits for that transaction to end — and, if the attempt is gone by then, whether an order took
   * it decides. Else a charge whose removal lost its answer would never be refunded. A database
   * that cannot say ends the pass.
   */
  async function taken(reference: string): Promise<boolean> {
    try {
      return await deps.attempts.take(reference);
    } catch {
      if (await deps.attempts.take(reference)) return true;
      return !(await deps.orderExists(reference));
    }
  }

  return {
    /** One pass; how many abandoned charges were refunded (or recorded as owed). */
    async reconcile(now: number): Promise<number> {
      let refunded = 0;
      for (const attempt of await deps.attempts.stale(now - deps.abandonedAfterMs, now, BATCH)) {
        let paymentId = attempt.payment_id ?? undefined;
        if (paymentId === undefined) {
          if (!deps.payments.findCharge) {
            if (await deps.attempts.take(attempt.reference)) deps.onUnknown(attempt);
            continue;
          }
          // Asked before the attempt is taken; a provider that fails now ends this pass, and is
          // asked again on the next one.
          try {
            paymentId = (await deps.payments.findCharge(attempt.reference))?.paymentId;
          } catch {
            break;
          }
          if (paymentId === undefined) {
            const age = now - attempt.created_at;
            const windowEnds = attempt.created_at + deps.lateChargeWindowMs;
            if (now < windowEnds) await deps.attempts.recheckAt(attempt.reference, Math.min(now + Math.max(age, deps.abandonedAfterMs), windowEnds));
            else if (await taken(attempt.reference)) deps.onLetGo(attempt);
            continue;
          }
        }
        // Taken first: an order confirmed at this very moment and this refund exclude each other.
        if (!(await taken(attempt.reference)) || paymentId === undefined) continue;
        await deps.refunds.refundOrOwe({
          paymentId,
          amountCents: attempt.amount_cents,
          currency: attempt.currency,
          holdId: attempt.hold_id,
          reason: `payment ${attempt.reference} never became an order`,
        });
        deps.onRefunded(attempt, paymentId);
        refunded++;
      }
      return refunded;
    },
  };
}
export type PaymentReconciler = ReturnType<typeof createPaymentReconciler>;
