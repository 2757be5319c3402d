/**
 * An event's seat map: the venue's template priced with the event's prices, serialized once per
 * version and served from memory after that. The ETag is derived from the event row alone, so a
 * revalidation (If-None-Match → 304) never touches the venue's large seat map.
 */
import type { VenueSeatMap } from '@stream-seat/contracts';
import { NotFound, type Principal } from '@stream-seat/platform';
import type { Kysely } from 'kysely';
import { createEventRepository, type EventWithVenueRow, visibilityOf } from '../db/event.repository.js';
import type { EventDatabase } from '../db/schema.js';
import { createVenueRepository } from '../db/venue.repository.js';
import { isPublic, maySee } from '../domain/event-rules.js';
import { bodyTag, type BodyVersion, type CachedBodies, cacheControlFor } from './cached-bodies.js';
import type { LruCache } from './seat-map.cache.js';
import { createSeatMapTemplate, renderSeatMap, type SeatMapTemplate } from './seat-map-template.js';

/** Venues never change, so an event's map changes only with its venue, prices or currency. */
export function seatMapTag(row: Pick<EventWithVenueRow, 'id' | 'venue_id' | 'currency' | 'prices_json'>): string {
  return bodyTag(`${row.id}\n${row.venue_id}\n${row.currency}\n${row.prices_json}`);
}

export interface EventSeatMapsDeps {
  db: Kysely<EventDatabase>;
  /** Priced maps by the ETag of their coding. */
  bodies: CachedBodies;
  /** Venue templates by venue id. */
  templates: LruCache<SeatMapTemplate>;
}

export function createEventSeatMaps({ db, bodies, templates }: EventSeatMapsDeps) {
  const events = createEventRepository(db);
  const venues = createVenueRepository(db);

  async function templateOf(venueId: string): Promise<SeatMapTemplate> {
    const known = templates.get(venueId);
    if (known) return known;
    const json = await venues.seatMapJson(venueId);
    if (json === undefined) throw new NotFound('Venue');
    const template = createSeatMapTemplate(JSON.parse(json) as VenueSeatMap);
    templates.set(venueId, template);
    return template;
  }

  /** The identity bytes of a version. */
  async function render(row: EventWithVenueRow): Promise<Buffer> {
    const template = await templateOf(row.venue_id);
    const prices = JSON.parse(row.prices_json) as Record<string, number>;
    return renderSeatMap(template, { eventId: row.id, venueId: row.venue_id, currency: row.currency, prices });
  }

  return {
    async version(id: string, viewer: Principal | undefined): Promise<BodyVersion> {
      const row = await events.find(id);
      if (!row || !maySee(visibilityOf(row), viewer)) throw new NotFound('Event');
      const etag = seatMapTag(row);
      return {
        etag,
        // Drafts (and drafts cancelled) are private, and a draft is still changing; a published
        // event's prices are frozen, but caches revalidate each minute so that a cancellation's
        // status is never far behind.
        cacheControl: cacheControlFor(isPublic(visibilityOf(row))),
        body: (coding = 'identity') => bodies.body(etag, coding, () => render(row)),
      };
    },
  };
}
export type EventSeatMaps = ReturnType<typeof createEventSeatMaps>;
