/**
 * Idempotency keys: the INSERT of (owner, key) decides which request executes; the others read
 * the stored response, or wait for it while the first is still running.
 */
import { isDuplicateKey } from '@stream-seat/db';
import { CompiledQuery, type Kysely } from 'kysely';
import type { BookingDatabase, IdempotencyKeyTable } from './schema.js';
import { changed, type Trx } from './transaction.js';

/**
 * The reservation of an Idempotency-Key that a request runs under (made, or taken over, at
 * `reservedAt`). Its work commits only while the reservation is still the request's: a repeat
 * that took the key over (the request went silent: its instance froze) does the work itself, and
 * the silent request's own must not commit too.
 */
export interface KeyReservation {
  owner: string;
  key: string;
  reservedAt: number;
}

/** A key's answer: the status and body a repeat gets again. */
export interface KeyAnswer {
  status: number;
  body: unknown;
}

/**
 * A reservation whose work's transaction also stores the key's answer, made from the work's
 * result (storeAnswerSql): a request that froze after its commit, before it could record its
 * answer, is replayed by the repeat that comes — not taken over, and its work done again.
 */
export interface AnsweringReservation<T> extends KeyReservation {
  answer(result: T): KeyAnswer;
}

/**
 * The work of a request whose Idempotency-Key a repeat took over meanwhile: not done (rolled back);
 * the request answers as a repeat would, with the key's answer (routes/idempotency.ts).
 */
export class ReservationTakenOver extends Error {
  constructor(readonly reservation: KeyReservation) {
    super(`the reservation of Idempotency-Key ${reservation.key} was taken over by a repeat`);
    this.name = 'ReservationTakenOver';
  }
}

/**
 * In the transaction that does a request's work, before it writes anything: marks the request's
 * reservation heard from — by a value of alive_at it never had, as a take-over compares alive_at
 * with the one it judged silent — and locks it (no take-over until the commit). Changes no row when
 * a repeat has taken the key over: the work must not be done (ReservationTakenOver).
 */
export const touchReservationSql =
  'UPDATE idempotency_keys SET alive_at = CASE WHEN alive_at IS NULL OR alive_at < ? THEN ? ELSE alive_at + 1 END ' +
  'WHERE owner = ? AND idem_key = ? AND created_at = ? AND status_code IS NULL';
export const touchReservationParams = (reservation: KeyReservation, now: number) => [now, now, reservation.owner, reservation.key, reservation.reservedAt];

/** Rows a raw UPDATE (or DELETE) changed. */
async function rowsChanged(db: Kysely<BookingDatabase> | Trx, sql: string, params: unknown[]): Promise<number> {
  return Number((await db.executeQuery(CompiledQuery.raw(sql, params))).numAffectedRows ?? 0);
}

/** touchReservationSql in a Kysely transaction: throws ReservationTakenOver when the key is a repeat's now. */
export async function fenceReservation(trx: Trx, reservation: KeyReservation, now: number): Promise<void> {
  if ((await rowsChanged(trx, touchReservationSql, touchReservationParams(reservation, now))) !== 1) throw new ReservationTakenOver(reservation);
}

/** Stores the key's answer in the reservation made at `reservedAt` — not in one taken over since. */
export const storeAnswerSql = 'UPDATE idempotency_keys SET status_code = ?, response_json = ? WHERE owner = ? AND idem_key = ? AND created_at = ?';
export const storeAnswerParams = (reservation: KeyReservation, answer: KeyAnswer) => [
  answer.status,
  JSON.stringify(answer.body),
  reservation.owner,
  reservation.key,
  reservation.reservedAt,
];

/**
 * storeAnswerSql, in the work's own transaction (after fenceReservation) or on its own; false when
 * a repeat has taken the key over.
 */
export async function storeAnswer(db: Kysely<BookingDatabase> | Trx, reservation: KeyReservation, answer: KeyAnswer): Promise<boolean> {
  return (await rowsChanged(db, storeAnswerSql, storeAnswerParams(reservation, answer))) === 1;
}

const normalize = (row: IdempotencyKeyTable): IdempotencyKeyTable => ({
  ...row,
  created_at: Number(row.created_at),
  status_code: row.status_code === null ? null : Number(row.status_code),
  alive_at: row.alive_at === null ? null : Number(row.alive_at),
});

export function createIdempotencyRepository(db: Kysely<BookingDatabase>) {
  return {
    /** 'reserved' when this caller owns the key now; otherwise the existing record. */
    async reserve(owner: string, key: string, requestHash: string, now: number): Promise<'reserved' | IdempotencyKeyTable> {
      try {
        await db
          .insertInto('idempotency_keys')
          .values({ owner, idem_key: key, request_hash: requestHash, status_code: null, response_json: null, created_at: now, alive_at: now })
          .execute();
        return 'reserved';
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('owner', '=', owner)
        .where('idem_key', '=', key)
        .executeTakeFirst();
      // Purged between the insert and the read: try again as new.
      if (!row) return this.reserve(owner, key, requestHash, now);
      return normalize(row);
    },

    async find(owner: string, key: string): Promise<IdempotencyKeyTable | undefined> {
      const row = await db.selectFrom('idempotency_keys').selectAll().where('owner', '=', owner).where('idem_key', '=', key).executeTakeFirst();
      return row && normalize(row);
    },

    /** The request holding the reservation is still running (its heartbeat): marked heard from, as its work's commit marks it. */
    async alive(reservation: KeyReservation, now: number): Promise<void> {
      await rowsChanged(db, touchReservationSql, touchReservationParams(reservation, now));
    },

    /**
     * Takes over a record that expired or whose executor vanished, as it was `seen`: not if it was
     * heard from since (a heartbeat, or its work committing: fenceReservation); only one caller wins.
     */
    async takeOver(owner: string, key: string, seen: Pick<IdempotencyKeyTable, 'created_at' | 'alive_at'>, requestHash: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('idempotency_keys')
        .set({ request_hash: requestHash, status_code: null, response_json: null, created_at: now, alive_at: now })
        .where('owner', '=', owner)
        .where('idem_key', '=', key)
        .where('created_at', '=', seen.created_at)
        .where('alive_at', seen.alive_at === null ? 'is' : '=', seen.alive_at)
        .executeTakeFirst();
      return changed(result) === 1;
    },

    /**
     * Stores the answer in the reservation — not in one a later request took over meanwhile (see
     * takeOver): false then.
     */
    complete: (reservation: KeyReservation, answer: KeyAnswer): Promise<boolean> => storeAnswer(db, reservation, answer),

    /** Removes the reservation, still unanswered — not one taken over since. */
    async forget(reservation: KeyReservation): Promise<void> {
      await db
        .deleteFrom('idempotency_keys')
        .where('owner', '=', reservation.owner)
        .where('idem_key', '=', reservation.key)
        .where('created_at', '=', reservation.reservedAt)
        .where('status_code', 'is', null)
        .execute();
    },

    async purgeOlderThan(cutoff: number): Promise<void> {
      await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
