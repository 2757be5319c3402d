/** Payments under way (see PaymentAttemptTable): begun, charged, and taken off exactly once. */
import type { Kysely } from 'kysely';
import { fenceReservation, type KeyReservation } from './idempotency.repository.js';
import type { BookingDatabase, PaymentAttemptTable } from './schema.js';
import { inTransaction, type Trx } from './transaction.js';

/**
 * Takes an attempt off; true for the one caller that did. The order's transaction and the
 * reconciler both take it off before acting, so exactly one of them acts on a charge.
 */
export async function takeAttempt(db: Kysely<BookingDatabase> | Trx, reference: string): Promise<boolean> {
  return Number((await db.deleteFrom('payment_attempts').where('reference', '=', reference).executeTakeFirst()).numDeletedRows) === 1;
}

export function createPaymentAttemptRepository(db: Kysely<BookingDatabase>) {
  return {
    /**
     * Writes the attempt down, before its charge. `reservation`: the payment's Idempotency-Key's —
     * none is begun once a repeat took the key over (it pays instead: ReservationTakenOver).
     */
    async begin(attempt: PaymentAttemptTable, reservation?: KeyReservation): Promise<void> {
      if (!reservation) {
        await db.insertInto('payment_attempts').values(attempt).execute();
        return;
      }
      await inTransaction(db, async (trx) => {
        await fenceReservation(trx, reservation, attempt.created_at);
        await trx.insertInto('payment_attempts').values(attempt).execute();
      });
    },

    async charged(reference: string, paymentId: string): Promise<void> {
      await db.updateTable('payment_attempts').set({ payment_id: paymentId }).where('reference', '=', reference).execute();
    },

    take: (reference: string) => takeAttempt(db, reference),

    /**
     * Attempts begun before `before`, oldest first — abandoned, or their order would exist — but
     * for those whose provider is not to be asked again until after `now`.
     */
    async stale(before: number, now: number, limit: number): Promise<PaymentAttemptTable[]> {
      const rows = await db
        .selectFrom('payment_attempts')
        .selectAll()
        .where('created_at', '<', before)
        .where((eb) => eb.or([eb('recheck_at', 'is', null), eb('recheck_at', '<=', now)]))
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        ...r,
        amount_cents: Number(r.amount_cents),
        created_at: Number(r.created_at),
        recheck_at: r.recheck_at === null ? null : Number(r.recheck_at),
      }));
    },

    /** The provider knew of no charge: ask it again at `at`. */
    async recheckAt(reference: string, at: number): Promise<void> {
      await db.updateTable('payment_attempts').set({ recheck_at: at }).where('reference', '=', reference).execute();
    },
  };
}
export type PaymentAttemptRepository = ReturnType<typeof createPaymentAttemptRepository>;
