/**
 * Numbered seat changes. `recordChanges` runs inside the transaction that changed the seats: it
 * bumps the event's `seq` (the inventory row lock orders concurrent writers, so seq order is commit
 * order) and stores the batch, so a subscriber that missed one can read it back. New holds number
 * theirs in seat-claim.repository.ts, a whole batch of holds under one lock.
 */
import type { SeatChange, SeatChangeBatch } from '@stream-seat/contracts';
import type { Kysely } from 'kysely';
import type { BookingDatabase } from './schema.js';
import { changed, type Trx } from './transaction.js';

/**
 * Takes the event's inventory row lock. Every transaction that changes an event's seats takes it
 * before touching any seat — claims, releases, orders, cancellations alike — so that no two of
 * them can wait for each other's seats and inventory in opposite orders (a deadlock InnoDB would
 * break by failing one of them). A no-op UPDATE locks the row on MySQL and takes SQLite's write
 * lock, with the same SQL on both.
 */
export async function lockInventory(trx: Trx, eventId: string): Promise<void> {
  await trx
    .updateTable('inventories')
    .set((eb) => ({ seq: eb.ref('seq') }))
    .where('event_id', '=', eventId)
    .execute();
}

/**
 * Assigns the next seq and stores the changes. With `requireOpen`, a closed inventory (cancelled
 * event) assigns nothing and returns undefined: the caller rolls back.
 */
export async function recordChanges(
  trx: Trx,
  eventId: string,
  changes: SeatChange[],
  now: number,
  requireOpen: boolean,
): Promise<{ batch: SeatChangeBatch } | undefined> {
  let bump = trx
    .updateTable('inventories')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('event_id', '=', eventId);
  if (requireOpen) bump = bump.where('status', '=', 'OPEN');
  if (changed(await bump.executeTakeFirst()) !== 1) return undefined;
  return { batch: await logNext(trx, eventId, changes, now, false) };
}

/**
 * Closes the event's open inventory (its cancellation) as a numbered change of its own: an entry
 * with no seat changes, marked `event_cancelled`, ordered among the seats' changes like any other.
 * Undefined when the inventory was not open (closed already, or never there).
 */
export async function recordEventCancelled(trx: Trx, eventId: string, now: number): Promise<SeatChangeBatch | undefined> {
  const close = await trx
    .updateTable('inventories')
    .set((eb) => ({ status: 'CLOSED', seq: eb('seq', '+', 1) }))
    .where('event_id', '=', eventId)
    .where('status', '=', 'OPEN')
    .executeTakeFirst();
  if (changed(close) !== 1) return undefined;
  return logNext(trx, eventId, [], now, true);
}

/** Stores the entry numbered with the seq just bumped (under the row lock that bump took). */
async function logNext(trx: Trx, eventId: string, changes: SeatChange[], now: number, cancelled: boolean): Promise<SeatChangeBatch> {
  const row = await trx.selectFrom('inventories').select('seq').where('event_id', '=', eventId).executeTakeFirstOrThrow();
  const seq = Number(row.seq);
  await trx
    .insertInto('seat_changes')
    .values({ event_id: eventId, seq, changes_json: JSON.stringify(changes), created_at: now, event_cancelled: cancelled ? 1 : 0 })
    .execute();
  return { eventId, seq, changes, ...(cancelled ? { cancelled: true as const } : {}) };
}

/**
 * The logged batches after `afterSeq`, in order, at most `limit` — read with `reader`, which may
 * be a transaction (the seat-state cache reads them in one snapshot with the seats). Their
 * `committedAt` is the time their transaction wrote them, so a change delivered late by repair
 * counts in the stream's lag like any other (its lag is the repair's delay).
 */
export async function readChangesSince(reader: Kysely<BookingDatabase>, eventId: string, afterSeq: number, limit: number): Promise<SeatChangeBatch[]> {
  const rows = await reader
    .selectFrom('seat_changes')
    .select(['seq', 'changes_json', 'created_at', 'event_cancelled'])
    .where('event_id', '=', eventId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    eventId,
    seq: Number(r.seq),
    changes: JSON.parse(r.changes_json) as SeatChange[],
    committedAt: Number(r.created_at),
    ...(Number(r.event_cancelled) === 1 ? { cancelled: true as const } : {}),
  }));
}

export function createSeatChangeRepository(db: Kysely<BookingDatabase>) {
  return {
    /** The batches after `afterSeq`, in order, at most `limit`: what a subscriber missed. */
    changesSince: (eventId: string, afterSeq: number, limit = 1000): Promise<SeatChangeBatch[]> => readChangesSince(db, eventId, afterSeq, limit),
  };
}
export type SeatChangeRepository = ReturnType<typeof createSeatChangeRepository>;
