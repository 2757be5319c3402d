/** Reads and writes of venues; the generated seat map is stored whole so reads never regenerate it. */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import { publicEvents } from './event.repository.js';
import type { EventDatabase, VenueTable } from './schema.js';

export type VenueSummaryRow = Pick<VenueTable, 'id' | 'organizer_id' | 'name' | 'city' | 'capacity' | 'tiers_json' | 'created_at'>;

const summaryColumns = ['id', 'organizer_id', 'name', 'city', 'capacity', 'tiers_json', 'created_at'] as const;

export interface VenueListFilter {
  /** Only this organiser's venues; undefined: everyone's (admins). */
  organizerId?: string | undefined;
  limit: number;
  /** Keyset position: venues after (createdAt, id). */
  after?: { createdAt: number; id: string } | undefined;
}

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/**
 * The largest seat map also stored as JSON, beside its gzip: what the release before migration
 * 006 reads (it knows only `seatmap_json`), during a rolling deploy or after a rollback. Under a
 * quarter of MariaDB's default 16 MiB packet with its quotes escaped and the gzip beside it.
 */
export const SEAT_MAP_JSON_COPY_MAX_CHARS = 4 * 1024 * 1024;

/**
 * A seat map's columns as stored: gzipped (compressed in the zlib pool's threads: a 100,000-seat
 * map takes a few hundred ms), which reads use, and the JSON too while it is small enough.
 */
export async function storedSeatMap(json: string): Promise<Pick<VenueTable, 'seatmap_json' | 'seatmap_gz'>> {
  return { seatmap_json: json.length <= SEAT_MAP_JSON_COPY_MAX_CHARS ? json : '', seatmap_gz: await gzipAsync(json) };
}

export function createVenueRepository(db: Kysely<EventDatabase>) {
  return {
    async insert(row: VenueTable): Promise<void> {
      await db.insertInto('venues').values(row).execute();
    },

    /**
     * The seats (and standing places) of an organiser's venues, in all. `locking` (MySQL): the rows
     * and the gap after them on the organiser index are locked until commit, so a creation racing
     * this one waits for it (or deadlocks, and is run again) instead of both counting without the
     * other — twenty at once had held 560 seats under a quota of 250. The gap may be shared with an
     * organiser whose id sorts next: their creations take turns too. SQLite's writers take turns anyway.
     */
    async capacityOf(organizerId: string, locking = false): Promise<number> {
      const query = db.selectFrom('venues').select((eb) => eb.fn.sum<number | string | null>('capacity').as('seats')).where('organizer_id', '=', organizerId);
      const row = await (locking ? query.forUpdate() : query).executeTakeFirst();
      return Number(row?.seats ?? 0);
    },

    async find(id: string): Promise<VenueTable | undefined> {
      return db.selectFrom('venues').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** The venue without its large JSON columns. */
    async findSummary(id: string): Promise<VenueSummaryRow | undefined> {
      return db.selectFrom('venues').select(summaryColumns).where('id', '=', id).executeTakeFirst();
    },

    /** The venue's seat map as JSON text, unzipped off the event loop when it was stored gzipped. */
    async seatMapJson(id: string): Promise<string | undefined> {
      const row = await db.selectFrom('venues').select(['seatmap_json', 'seatmap_gz']).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return row.seatmap_gz ? (await gunzipAsync(row.seatmap_gz)).toString('utf8') : row.seatmap_json;
    },

    async list(filter: VenueListFilter): Promise<VenueSummaryRow[]> {
      let query = db.selectFrom('venues').select(summaryColumns);
      if (filter.organizerId !== undefined) query = query.where('organizer_id', '=', filter.organizerId);
      if (filter.after) {
        const { createdAt, id } = filter.after;
        query = query.where((eb) =>
          eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]),
        );
      }
      return query.orderBy('created_at').orderBy('id').limit(filter.limit).execute();
    },

    /**
     * True when a public event uses the venue — on sale, or cancelled after it had been (not a
     * draft cancelled, which stays private): its seat map is public then.
     */
    async hasPublicEvent(venueId: string): Promise<boolean> {
      const row = await db
        .selectFrom('events')
        .select('id')
        .where('venue_id', '=', venueId)
        .where(publicEvents)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
export type VenueRepository = ReturnType<typeof createVenueRepository>;
