/** Refunds owed: recorded when a refund fails, taken off once the provider has accepted one. */
import type { Kysely } from 'kysely';
import { isDuplicateKey } from '@stream-seat/db';
import type { BookingDatabase, RefundDueTable } from './schema.js';

export function createRefundRepository(db: Kysely<BookingDatabase>) {
  return {
    /** Records a refund owed; recording the same payment again keeps the first record. */
    async record(due: RefundDueTable): Promise<void> {
      try {
        await db.insertInto('refunds_due').values(due).execute();
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    },

    /** Refunds whose next attempt is due, the longest-waiting first. */
    async due(now: number, limit: number): Promise<RefundDueTable[]> {
      const rows = await db.selectFrom('refunds_due').selectAll().where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).execute();
      return rows.map((r) => ({ ...r, amount_cents: Number(r.amount_cents), next_attempt_at: Number(r.next_attempt_at), created_at: Number(r.created_at) }));
    },

    /**
     * Takes a due refund for one try (its next attempt moved to `leaseUntil`), on the condition
     * that nobody moved it since `seenNextAttemptAt` was read: true for the one instance that may
     * ask the provider now. Another instance's sweep skips it until the lease runs out.
     */
    async take(paymentId: string, seenNextAttemptAt: number, leaseUntil: number): Promise<boolean> {
      const result = await db
        .updateTable('refunds_due')
        .set({ next_attempt_at: leaseUntil })
        .where('payment_id', '=', paymentId)
        .where('next_attempt_at', '=', seenNextAttemptAt)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Schedules the next try of a refund whose lease (`leaseUntil`, from take) is still the caller's. */
    async reschedule(paymentId: string, leaseUntil: number, attempts: number, nextAttemptAt: number, lastError: string): Promise<void> {
      await db
        .updateTable('refunds_due')
        .set({ attempts, next_attempt_at: nextAttemptAt, last_error: lastError.slice(0, 500) })
        .where('payment_id', '=', paymentId)
        .where('next_attempt_at', '=', leaseUntil)
        .execute();
    },

    async settled(paymentId: string): Promise<void> {
      await db.deleteFrom('refunds_due').where('payment_id', '=', paymentId).execute();
    },

    async count(): Promise<number> {
      const row = await db.selectFrom('refunds_due').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
export type RefundRepository = ReturnType<typeof createRefundRepository>;
