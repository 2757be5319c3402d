/**
 * The built-in test payment provider's charges, by our reference: what a real provider keeps on
 * its side and answers to every instance alike. Kept in each process's memory, a charge made on
 * one booking instance was unknown to the others — a charge that landed late there was never
 * refunded when another instance's reconciler asked (a hostile probe: 17 of 59 late charges).
 */
import { type Dialect, indexExists } from '@stream-seat/db';
import type { Kysely, Migration } from 'kysely';

export function testProviderChargesMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('test_provider_charges')
        .ifNotExists()
        .addColumn('reference', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('payment_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('charged_at', 'bigint', (c) => c.notNull())
        .execute();
      // Old charges are forgotten by it (after the late-charge window). Probed, not IF NOT EXISTS
      // (MySQL 8 has none for indexes): a run stopped after it runs again.
      if (!(await indexExists(db, dialect, 'test_provider_charges', 'test_provider_charges_charged'))) {
        await db.schema.createIndex('test_provider_charges_charged').on('test_provider_charges').column('charged_at').execute();
      }
    },
  };
}
