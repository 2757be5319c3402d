/**
 * Holds: claiming seats and giving them back. The claim is one conditional UPDATE over the
 * requested seats — taken only if AVAILABLE or held by an expired hold — whose affected-row count
 * must equal the number requested, inside a transaction; otherwise everything rolls back.
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import type { Kysely } from 'kysely';
import { EventNotOnSale, SeatsUnavailable, TooManyHolds } from '../domain/booking-errors.js';
import { recordChanges } from './seat-change.repository.js';
import type { BookingDatabase, HoldStatus, HoldTable } from './schema.js';
import { changed, inTransaction } from './transaction.js';

export interface ClaimRequest {
  holdId: string;
  eventId: string;
  buyerId: string;
  seatIds: string[];
  currency: string;
  /** The seats' total price, from the inventory's (immutable) prices. */
  totalCents: number;
  now: number;
  expiresAt: number;
  maxActiveHolds: number;
}

export interface ClaimResult {
  hold: HoldTable;
  batch: SeatChangeBatch;
}

export function createHoldRepository(db: Kysely<BookingDatabase>) {
  return {
    async claim(request: ClaimRequest): Promise<ClaimResult> {
      const { holdId, eventId, now } = request;
      // One lock order for every writer (sorted seat ids, then the inventory row): no deadlock cycles.
      const seatIds = [...new Set(request.seatIds)].sort();
      return inTransaction(db, async (trx) => {
        const claimed = await trx
          .updateTable('seats')
          .set({ status: 'HELD', hold_id: holdId, expires_at: request.expiresAt, order_id: null })
          .where('event_id', '=', eventId)
          .where('seat_id', 'in', seatIds)
          .where((eb) =>
            eb.or([eb('status', '=', 'AVAILABLE'), eb.and([eb('status', '=', 'HELD'), eb('expires_at', '<=', now)])]),
          )
          .executeTakeFirst();
        if (changed(claimed) !== seatIds.length) {
          const rows = await trx
            .selectFrom('seats')
            .select(['seat_id', 'hold_id'])
            .where('event_id', '=', eventId)
            .where('seat_id', 'in', seatIds)
            .execute();
          const ours = new Set(rows.filter((r) => r.hold_id === holdId).map((r) => r.seat_id));
          const known = new Set(rows.map((r) => r.seat_id));
          const unknown = seatIds.filter((id) => !known.has(id));
          throw new SeatsUnavailable(
            seatIds.filter((id) => !ours.has(id)),
            unknown.length > 0 ? `No such seats in this event: ${unknown.join(', ')}; nothing was held` : undefined,
          );
        }
        const hold: HoldTable = {
          id: holdId,
          event_id: eventId,
          buyer_id: request.buyerId,
          seat_ids_json: JSON.stringify(seatIds),
          total_cents: request.totalCents,
          currency: request.currency,
          status: 'ACTIVE',
          expires_at: request.expiresAt,
          created_at: now,
        };
        await trx.insertInto('holds').values(hold).execute();
        // The event's row lock is taken as late as possible: it serializes the event's writers.
        // The buyer's active holds are counted in the read after that lock (the transaction's
        // first plain read), so that a buyer's racing requests see each other; it includes this one.
        const recorded = await recordChanges(
          trx,
          eventId,
          seatIds.map((seatId) => ({ seatId, status: 'HELD' as const })),
          now,
          true,
          request.buyerId,
        );
        if (!recorded) throw new EventNotOnSale(eventId, 'it was cancelled');
        if (recorded.activeHolds > request.maxActiveHolds) throw new TooManyHolds(request.maxActiveHolds);
        const { batch } = recorded;
        return { hold, batch };
      });
    },

    async find(holdId: string): Promise<HoldTable | undefined> {
      const row = await db.selectFrom('holds').selectAll().where('id', '=', holdId).executeTakeFirst();
      return row && { ...row, expires_at: Number(row.expires_at), created_at: Number(row.created_at) };
    },

    /**
     * Ends an active hold (released by its buyer, or expired) and puts its seats back on sale —
     * only the seats it still holds: an expired hold's seat may already belong to a newer hold.
     * Undefined when the hold was no longer active (someone else ended it first).
     */
    async release(hold: HoldTable, status: Extract<HoldStatus, 'RELEASED' | 'EXPIRED'>, now: number) {
      const seatIds = JSON.parse(hold.seat_ids_json) as string[];
      return inTransaction(db, async (trx) => {
        let end = trx.updateTable('holds').set({ status }).where('id', '=', hold.id).where('status', '=', 'ACTIVE');
        if (status === 'EXPIRED') end = end.where('expires_at', '<=', now);
        if (changed(await end.executeTakeFirst()) !== 1) return undefined;
        // hold_id stays as "last holder" so that the seats this release freed can be listed below.
        const freed = await trx
          .updateTable('seats')
          .set({ status: 'AVAILABLE', expires_at: null })
          .where('event_id', '=', hold.event_id)
          .where('seat_id', 'in', seatIds)
          .where('hold_id', '=', hold.id)
          .where('status', '=', 'HELD')
          .executeTakeFirst();
        if (changed(freed) === 0) return { batch: undefined };
        const freedIds =
          changed(freed) === seatIds.length
            ? seatIds
            : (
                await trx
                  .selectFrom('seats')
                  .select('seat_id')
                  .where('event_id', '=', hold.event_id)
                  .where('seat_id', 'in', seatIds)
                  .where('hold_id', '=', hold.id)
                  .where('status', '=', 'AVAILABLE')
                  .execute()
              ).map((r) => r.seat_id);
        const batch = await recordChanges(
          trx,
          hold.event_id,
          freedIds.map((seatId) => ({ seatId, status: 'AVAILABLE' as const })),
          now,
          false,
        );
        return { batch: batch?.batch };
      });
    },

    /** Active holds whose time is up, oldest first: the sweeper's work list. */
    async expired(now: number, limit: number): Promise<HoldTable[]> {
      return db
        .selectFrom('holds')
        .selectAll()
        .where('status', '=', 'ACTIVE')
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(limit)
        .execute();
    },
  };
}
export type HoldRepository = ReturnType<typeof createHoldRepository>;
