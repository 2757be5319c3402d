/** Reads and writes of events; status changes are conditional UPDATEs whose row count says who won. */
import { type ExpressionBuilder, type Kysely, sql, type Updateable } from 'kysely';
import { searchWords } from '../domain/search-text.js';
import type { EventDatabase, EventTable } from './schema.js';

export type EventStatusValue = EventTable['status'];

/** An event row with its venue's summary columns. */
export interface EventWithVenueRow extends EventTable {
  venue_name: string;
  venue_city: string | null;
  venue_capacity: number;
}

export interface EventListFilter {
  status?: EventStatusValue | undefined;
  /** Events starting at or after / before these instants (epoch ms). */
  from?: number | undefined;
  to?: number | undefined;
  /** Case-insensitive substring of the event's name or its venue's city. */
  q?: string | undefined;
  /** Drafts are listed only for this organiser; `all`: every draft (admins); undefined: none. */
  draftsOf?: string | 'all' | undefined;
  /** Only this organiser's events. */
  organizerId?: string | undefined;
  limit: number;
  /** Keyset position: events after (startsAt, id). */
  after?: { startsAt: number; id: string } | undefined;
}

/** The public events (on sale, or cancelled after sale), in SQL: what `isPublic` says of one. */
export function publicEvents(eb: ExpressionBuilder<EventDatabase, 'events'>) {
  return eb.and([eb('events.status', '!=', 'DRAFT'), eb('events.cancelled_as_draft', '=', 0)]);
}

/** What decides who may see an event, as the domain rules name it (`maySee`, `isPublic`). */
export function visibilityOf(row: Pick<EventTable, 'status' | 'organizer_id' | 'cancelled_as_draft'>) {
  return { status: row.status, organizerId: row.organizer_id, cancelledAsDraft: Number(row.cancelled_as_draft) === 1 };
}

export function createEventRepository(db: Kysely<EventDatabase>) {
  const withVenue = () =>
    db
      .selectFrom('events')
      .innerJoin('venues', 'venues.id', 'events.venue_id')
      .selectAll('events')
      .select(['venues.name as venue_name', 'venues.city as venue_city', 'venues.capacity as venue_capacity']);

  return {
    async insert(row: EventTable): Promise<void> {
      await db.insertInto('events').values(row).execute();
    },

    async find(id: string): Promise<EventWithVenueRow | undefined> {
      return withVenue().where('events.id', '=', id).executeTakeFirst();
    },

    /**
     * The event as it is now, in a transaction that will change it. `locking` (MySQL): its row is
     * locked first, so another change of it waits for this transaction's commit and then reads
     * what it wrote (InnoDB makes a transaction's snapshot at its first plain read, after the
     * lock). The venue's row is not locked. SQLite's writers take turns anyway.
     */
    async findForChange(id: string, locking: boolean): Promise<EventWithVenueRow | undefined> {
      if (locking) await db.selectFrom('events').select('id').where('id', '=', id).forUpdate().execute();
      return withVenue().where('events.id', '=', id).executeTakeFirst();
    },

    async list(filter: EventListFilter): Promise<EventWithVenueRow[]> {
      let query = withVenue();
      if (filter.status) query = query.where('events.status', '=', filter.status);
      // Public: on sale, or cancelled after it had been (a draft cancelled stays private).
      if (filter.draftsOf === undefined) query = query.where(publicEvents);
      else if (filter.draftsOf !== 'all') {
        const owner = filter.draftsOf;
        query = query.where((eb) =>
          eb.or([publicEvents(eb), eb('events.organizer_id', '=', owner)]),
        );
      }
      if (filter.organizerId !== undefined) query = query.where('events.organizer_id', '=', filter.organizerId);
      if (filter.from !== undefined) query = query.where('events.starts_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('events.starts_at', '<', filter.to);
      if (filter.q) {
        // Both sides folded in JavaScript (SQLite's lower() folds ASCII only); instr() is the same in
        // SQLite and MySQL, and needs no LIKE escaping of % and _. Every word of the query must be
        // found (searchWords). An event an older instance wrote during a rolling deploy has no
        // search_text: its name and city are matched as they are (a later migration can fill those
        // rows once no such instance is left).
        for (const word of searchWords(filter.q)) {
          query = query.where((eb) =>
            eb.or([
              eb(sql<number>`instr(${eb.ref('events.search_text')}, ${word})`, '>', 0),
              eb.and([
                eb('events.search_text', 'is', null),
                eb.or([
                  eb(sql<number>`instr(lower(${eb.ref('events.name')}), ${word})`, '>', 0),
                  eb(sql<number>`instr(lower(coalesce(${eb.ref('venues.city')}, '')), ${word})`, '>', 0),
                ]),
              ]),
            ]),
          );
        }
      }
      if (filter.after) {
        const { startsAt, id } = filter.after;
        query = query.where((eb) =>
          eb.or([
            eb('events.starts_at', '>', startsAt),
            eb.and([eb('events.starts_at', '=', startsAt), eb('events.id', '>', id)]),
          ]),
        );
      }
      return query.orderBy('events.starts_at').orderBy('events.id').limit(filter.limit).execute();
    },

    /**
     * Changes a draft, only if nobody changed it since it was read at `readAt` (its updated_at); 0
     * when someone did, or it is no longer a draft (published or cancelled first).
     */
    async updateDraft(id: string, changes: Updateable<EventTable>, readAt: number): Promise<number> {
      const result = await db
        .updateTable('events')
        .set(changes)
        .where('id', '=', id)
        .where('status', '=', 'DRAFT')
        .where('updated_at', '=', readAt)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /**
     * Moves the event from one of `from` to `to`, only if nobody changed it since it was read at
     * `readAt` (its updated_at); 0 when someone did.
     */
    async transition(id: string, from: EventStatusValue[], to: EventStatusValue, now: number, readAt: number): Promise<number> {
      const result = await db
        .updateTable('events')
        .set({
          status: to,
          updated_at: Math.max(now, readAt + 1),
          // `from` is the status read at `readAt`; the row changes only if it still has it.
          ...(to === 'CANCELLED' && from.length === 1 && from[0] === 'DRAFT' ? { cancelled_as_draft: 1 } : {}),
        })
        .where('id', '=', id)
        .where('status', 'in', from)
        .where('updated_at', '=', readAt)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
export type EventRepository = ReturnType<typeof createEventRepository>;
