/**
 * Creates a resource at most once per Idempotency-Key: the key is recorded in the creating
 * transaction, so a retry after a lost response finds it and gets the same resource back — as it
 * was answered the first time (`firstResponse`), for resources that change afterwards. What a new
 * request is checked against and built from (`prepare`) is done only once its key is found unseen:
 * a replay answers as the first time did, whatever the clock or the caller's quota say now (an
 * event starting two seconds after its creation had been a 400 "must be in the future" on a
 * retry), and costs no seat map built again.
 */
import { createHash } from 'node:crypto';
import { isRetryableConflict } from '@stream-seat/db';
import type { Kysely, Transaction } from 'kysely';
import { createIdempotencyRepository } from '../db/idempotency.repository.js';
import type { EventDatabase, IdempotencyKeyTable } from '../db/schema.js';
import { IdempotencyKeyReused } from '../domain/catalogue-errors.js';
import { requestFingerprint } from '../domain/request-fingerprint.js';

export interface IdempotentRequest {
  /** Keys belong to their caller: two organisers may both use key `1`. */
  caller: string;
  operation: string;
  key: string | undefined;
  body: unknown;
  /**
   * The body as the release before digested it, when that differs: a key it recorded (kept a day: IDEMPOTENCY_KEYS_KEPT_MS)
   * still replays across an upgrade, instead of a 422 that a client might answer by retrying
   * under a new key — and creating the resource twice.
   */
  previousBody?: unknown;
}

export interface CreateOutcome<R> {
  resourceId: string;
  /** True when the key had been seen with this body: nothing was created now. */
  replayed: boolean;
  /**
   * The resource as the first answer gave it (from `snapshot`), now or on a replay; undefined
   * without a snapshot, and for keys recorded before answers were kept.
   */
  firstResponse?: R;
}

/**
 * Runs of a creating transaction, in all, while the database aborts it as retryable: InnoDB for a
 * deadlock with a racing creation's locks, SQLite for a snapshot another connection's commit made stale.
 */
const ATTEMPTS = 5;

/** `run` again, after a short random pause, while the database aborts it as retryable (ATTEMPTS in all). */
async function againOnDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** The creating write, in the transaction that records the key; the new resource's id. */
export type CreateWrite = (trx: Transaction<EventDatabase>) => Promise<string>;

export async function createOnce<R = never>(
  db: Kysely<EventDatabase>,
  request: IdempotentRequest,
  now: number,
  /** Checks a request not seen before and builds what it writes, outside the transaction; the write. */
  prepare: () => Promise<CreateWrite>,
  /** The resource as the answer gives it, read in the creating transaction (JSON-serializable). */
  snapshot?: (trx: Transaction<EventDatabase>, resourceId: string) => Promise<R>,
): Promise<CreateOutcome<R>> {
  if (request.key === undefined) {
    const create = await prepare();
    return { resourceId: await againOnDeadlock(() => db.transaction().execute(create)), replayed: false };
  }
  const id = createHash('sha256').update(`${request.caller}\n${request.operation}\n${request.key}`).digest('hex');
  const requestHash = requestFingerprint(request.body);
  const previousHash = request.previousBody === undefined ? undefined : requestFingerprint(request.previousBody);
  const replay = (row: IdempotencyKeyTable): CreateOutcome<R> => {
    if (row.request_hash !== requestHash && row.request_hash !== previousHash) throw new IdempotencyKeyReused();
    return {
      resourceId: row.resource_id,
      replayed: true,
      ...(row.response_json ? { firstResponse: JSON.parse(row.response_json) as R } : {}),
    };
  };

  const seen = await createIdempotencyRepository(db).find(id);
  if (seen) return replay(seen);
  const create = await prepare();
  try {
    return await againOnDeadlock(() => db.transaction().execute(async (trx): Promise<CreateOutcome<R>> => {
      const created = await create(trx);
      const answer = snapshot ? await snapshot(trx, created) : undefined;
      await createIdempotencyRepository(trx).insert({
        id,
        request_hash: requestHash,
        resource_id: created,
        status_code: 201,
        response_json: answer === undefined ? null : JSON.stringify(answer),
        created_at: now,
      });
      return { resourceId: created, replayed: false, ...(answer === undefined ? {} : { firstResponse: answer }) };
    }));
  } catch (error) {
    // A concurrent request with the same key committed first; ours rolled back whole — whatever
    // it failed on: the key's duplicate, or a check the winner's write made fail (a venue's quota,
    // which the first venue filled), which a replay does not answer.
    const winner = await createIdempotencyRepository(db)
      .find(id)
      .catch(() => undefined);
    if (!winner) throw error;
    return replay(winner);
  }
}
