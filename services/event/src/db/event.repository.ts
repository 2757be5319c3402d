/** Reads and writes of events. */
import type { Kysely } from 'kysely';
import type { EventDatabase, EventTable } from './schema.js';

export interface EventListFilter {
  status?: EventTable['status'] | undefined;
  limit: number;
  /** Keyset position: events after (startsAt, id). */
  after?: { startsAt: number; id: string } | undefined;
}

export function createEventRepository(db: Kysely<EventDatabase>) {
  return {
    async list(filter: EventListFilter): Promise<EventTable[]> {
      let query = db.selectFrom('events').selectAll();
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.after) {
        const { startsAt, id } = filter.after;
        query = query.where((eb) =>
          eb.or([eb('starts_at', '>', startsAt), eb.and([eb('starts_at', '=', startsAt), eb('id', '>', id)])]),
        );
      }
      return query.orderBy('starts_at').orderBy('id').limit(filter.limit).execute();
    },
  };
}
export type EventRepository = ReturnType<typeof createEventRepository>;
