/**
 * Holds once they exist: reading them, giving their seats back, finding the expired ones. Claiming
 * seats for a new hold is seat-claim.repository.ts.
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { HoldExpired } from '../domain/booking-errors.js';
import { lockInventory, recordChanges } from './seat-change.repository.js';
import type { BookingDatabase, HoldStatus, HoldTable } from './schema.js';
import { changed, inTransaction } from './transaction.js';

/**
 * Those of `seatIds` (the hold's) still HELD by the hold — a seat of a hold that ran out may be
 * another hold's by now, or on sale again. What a release frees, a payment books, a carry extends.
 */
export const seatsStillHeldBy = (hold: Pick<HoldTable, 'id' | 'event_id'>, seatIds: string[]) => (eb: ExpressionBuilder<BookingDatabase, 'seats'>) =>
  eb.and([eb('event_id', '=', hold.event_id), eb('seat_id', 'in', seatIds), eb('hold_id', '=', hold.id), eb('status', '=', 'HELD')]);

export function createHoldRepository(db: Kysely<BookingDatabase>) {
  return {
    async find(holdId: string): Promise<HoldTable | undefined> {
      const row = await db.selectFrom('holds').selectAll().where('id', '=', holdId).executeTakeFirst();
      return row && { ...row, expires_at: Number(row.expires_at), created_at: Number(row.created_at) };
    },

    /** The id of the order a hold became (undefined while none did). */
    async orderIdOf(holdId: string): Promise<string | undefined> {
      return (await db.selectFrom('orders').select('id').where('hold_id', '=', holdId).executeTakeFirst())?.id;
    },

    /**
     * Ends an active hold (released by its buyer, or expired) and puts its seats back on sale —
     * only the seats it still holds: an expired hold's seat may already belong to a newer hold.
     * Undefined when the hold was no longer active (someone else ended it first). A hold released
     * after it ran out (before the sweeper came) ends EXPIRED, as it already reads.
     */
    async release(hold: HoldTable, asked: Extract<HoldStatus, 'RELEASED' | 'EXPIRED'>, now: number) {
      const seatIds = JSON.parse(hold.seat_ids_json) as string[];
      const status = hold.expires_at <= now ? 'EXPIRED' : asked;
      return inTransaction(db, async (trx) => {
        let end = trx.updateTable('holds').set({ status }).where('id', '=', hold.id).where('status', '=', 'ACTIVE');
        if (status === 'EXPIRED') end = end.where('expires_at', '<=', now);
        if (changed(await end.executeTakeFirst()) !== 1) return undefined;
        await lockInventory(trx, hold.event_id);
        // hold_id stays as "last holder" so that the seats this release freed can be listed below.
        const freed = await trx
          .updateTable('seats')
          .set({ status: 'AVAILABLE', expires_at: null })
          .where(seatsStillHeldBy(hold, seatIds))
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

    /**
     * Makes an active hold, not run out at `now`, last until `until` (a payment begun in its last
     * moments may finish): the hold and every one of its seats, under the event's lock, with a
     * numbered change of those seats (still HELD) so that every instance's seat statuses read
     * their new expiry. Never shortens it: a hold carried further already (a parallel payment)
     * stays so, unchanged. Undefined when the hold was no longer active, or had run out; throws
     * HoldExpired, changing nothing, when one of its seats was claimed by another hold meanwhile
     * (it ran out by that claim's clock).
     */
    async extend(hold: HoldTable, until: number, now: number): Promise<{ batch: SeatChangeBatch | undefined } | undefined> {
      const seatIds = JSON.parse(hold.seat_ids_json) as string[];
      return inTransaction(db, async (trx) => {
        // The hold's row first, then the event's lock, as a release and an order take them.
        const extended = await trx
          .updateTable('holds')
          .set({ expires_at: until })
          .where('id', '=', hold.id)
          .where('status', '=', 'ACTIVE')
          .where('expires_at', '>', now)
          .where('expires_at', '<', until)
          .executeTakeFirst();
        if (changed(extended) !== 1) {
          const row = await trx.selectFrom('holds').select(['status', 'expires_at']).where('id', '=', hold.id).executeTakeFirst();
          return row?.status === 'ACTIVE' && Number(row.expires_at) >= until ? { batch: undefined } : undefined;
        }
        await lockInventory(trx, hold.event_id);
        const seats = await trx
          .updateTable('seats')
          .set({ expires_at: until })
          .where(seatsStillHeldBy(hold, seatIds))
          .where('expires_at', '>', now)
          .executeTakeFirst();
        if (changed(seats) !== seatIds.length) throw new HoldExpired(hold.id); // rolls the hold's change back
        const batch = await recordChanges(trx, hold.event_id, seatIds.map((seatId) => ({ seatId, status: 'HELD' as const })), now, false);
        return { batch: batch?.batch };
      });
    },

    /** How many holds the buyer has standing for the event (active and not run out). */
    async activeCount(eventId: string, buyerId: string, now: number): Promise<number> {
      const row = await db
        .selectFrom('holds')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('event_id', '=', eventId)
        .where('buyer_id', '=', buyerId)
        .where('status', '=', 'ACTIVE')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** A buyer's holds of an event still running at `now`, newest first, keyset-paginated on (created_at, id). */
    async runningOfBuyer(eventId: string, buyerId: string, now: number, limit: number, before?: { createdAt: number; id: string }): Promise<HoldTable[]> {
      let query = db
        .selectFrom('holds')
        .selectAll()
        .where('event_id', '=', eventId)
        .where('buyer_id', '=', buyerId)
        .where('status', '=', 'ACTIVE')
        .where('expires_at', '>', now);
      if (before) {
        query = query.where((eb) =>
          eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]),
        );
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((row) => ({ ...row, expires_at: Number(row.expires_at), created_at: Number(row.created_at) }));
    },

    /** An event's active holds (its cancellation ends them). */
    async activeOfEvent(eventId: string): Promise<HoldTable[]> {
      return db.selectFrom('holds').selectAll().where('event_id', '=', eventId).where('status', '=', 'ACTIVE').execute();
    },

    /** When the next active hold runs out (none: undefined): when the sweeper wakes next. */
    async nextExpiry(): Promise<number | undefined> {
      const row = await db
        .selectFrom('holds')
        .select((eb) => eb.fn.min('expires_at').as('next'))
        .where('status', '=', 'ACTIVE')
        .executeTakeFirst();
      return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
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
