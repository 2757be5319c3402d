/** Reads of seat inventory. */
import type { Kysely } from 'kysely';
import type { BookingDatabase, SeatStatus } from './schema.js';

export interface SeatState {
  seatId: string;
  section: string;
  tier: string;
  status: SeatStatus;
}

export function createSeatRepository(db: Kysely<BookingDatabase>) {
  return {
    /** The event's seats and the change number they reflect, read in one transaction. */
    async snapshot(eventId: string, now: number): Promise<{ seq: number; seats: SeatState[] } | undefined> {
      return db.transaction().execute(async (trx) => {
        const inventory = await trx
          .selectFrom('inventories')
          .select('seq')
          .where('event_id', '=', eventId)
          .executeTakeFirst();
        if (!inventory) return undefined;
        const rows = await trx
          .selectFrom('seats')
          .select(['seat_id', 'section', 'tier', 'status', 'expires_at'])
          .where('event_id', '=', eventId)
          .execute();
        return {
          seq: Number(inventory.seq),
          seats: rows.map((r) => ({
            seatId: r.seat_id,
            section: r.section,
            tier: r.tier,
            // An expired hold is available at once, whether or not the sweeper has run.
            status: r.status === 'HELD' && r.expires_at !== null && r.expires_at <= now ? 'AVAILABLE' : r.status,
          })),
        };
      });
    },
  };
}
export type SeatRepository = ReturnType<typeof createSeatRepository>;
