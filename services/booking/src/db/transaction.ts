/** Transactions that InnoDB may abort for a deadlock are run again, a few times, with jitter. */
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryableConflict, markCommitOutcomeUnknown } from '@stream-seat/db';
import type { Kysely, Transaction } from 'kysely';
import type { BookingDatabase } from './schema.js';

export type Trx = Transaction<BookingDatabase>;

const ATTEMPTS = 6;

/**
 * Runs `work` in a transaction (again on a deadlock). An error after `work` finished is the
 * COMMIT's: it is marked (isCommitOutcomeUnknown), as the transaction may have committed.
 *
 * `work` awaits the database only — never a payment provider, the catalogue or a timer: its row
 * locks stand meanwhile, and on MySQL a connection silent for DB_IDLE_TIMEOUT_MS is closed by the
 * server, its transaction rolled back.
 */
export function inTransaction<T>(db: Kysely<BookingDatabase>, work: (trx: Trx) => Promise<T>): Promise<T> {
  return retryConflicts(async () => {
    let done = false;
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await work(trx);
        done = true;
        return result;
      });
    } catch (error) {
      if (done) markCommitOutcomeUnknown(error);
      throw error;
    }
  });
}

/** Runs a whole transaction (`run` begins and ends it) again when the database aborted it for a deadlock. */
export async function retryConflicts<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableConflict(error)) throw error;
      await sleep(Math.random() * 5 * attempt);
    }
  }
}

/** Rows an UPDATE changed, as a number (Kysely reports a bigint). */
export function changed(result: { numUpdatedRows: bigint }): number {
  return Number(result.numUpdatedRows);
}

/** Splits a list for IN (...) clauses and multi-row inserts of bounded size. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
