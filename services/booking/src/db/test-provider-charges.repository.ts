/**
 * The test payment provider's ledger of charges in the booking database: every instance finds a
 * charge another made, as a real provider's API answers every caller alike (see
 * domain/payment-provider.ts). Only the test provider uses it.
 */
import { isDuplicateKey } from '@stream-seat/db';
import type { Kysely } from 'kysely';
import type { ChargeLedger } from '../domain/payment-provider.js';
import type { BookingDatabase } from './schema.js';

export function createTestProviderChargeLedger(db: Kysely<BookingDatabase>, clock: () => number): Required<ChargeLedger> {
  return {
    async record(reference, paymentId) {
      try {
        await db.insertInto('test_provider_charges').values({ reference, payment_id: paymentId, charged_at: clock() }).execute();
        return paymentId;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return (await this.find(reference)) ?? paymentId;
      }
    },
    async find(reference) {
      const row = await db.selectFrom('test_provider_charges').select('payment_id').where('reference', '=', reference).executeTakeFirst();
      return row?.payment_id;
    },
    /**
     * Forgets the charges made before `cutoff`: past PAYMENT_LATE_CHARGE_WINDOW_MS, no abandoned
     * attempt is asked about any more (its attempt was made before its charge), so they would
     * only grow the table, a row a payment.
     */
    async forgetOlderThan(cutoff) {
      await db.deleteFrom('test_provider_charges').where('charged_at', '<', cutoff).execute();
    },
  };
}
