/**
 * An event's seat map: the venue's template priced with the event's prices, serialized once per
 * version and served from memory after that. The ETag is derived from the event row alone, so a
 * revalidation (If-None-Match → 304) never touches the venue's large seat map.
 */
import { createHash } from 'node:crypto';
import type { VenueSeatMap } from '@stream-seat/contracts';
import { type CodedBody, codedTag, type ContentCoding, createCompressor, createInFlight, NotFound, type Principal } from '@stream-seat/platform';
import type { Kysely } from 'kysely';
import { createEventRepository, type EventWithVenueRow, visibilityOf } from '../db/event.repository.js';
import type { EventDatabase } from '../db/schema.js';
import { createVenueRepository } from '../db/venue.repository.js';
import { isPublic, maySee } from '../domain/event-rules.js';
import type { LruCache, SeatMapCache } from './seat-map.cache.js';
import { createSeatMapTemplate, renderSeatMap, type SeatMapTemplate } from './seat-map-template.js';

/** A seat map's JSON as UTF-8 bytes, in a coding. */
export type SeatMapBody = CodedBody;

export interface SeatMapVersion {
  /** The ETag of the identity coding; see codedTag for the others. */
  etag: string;
  cacheControl: string;
  /**
   * The body in the coding asked for, built from the venue's map (and compressed) on a cache miss —
   * or as identity, when compressing failed or too many compressions are under way.
   */
  body(coding?: ContentCoding): Promise<SeatMapBody>;
}

/**
 * Compressions under way at once, at most: each holds its map's identity bytes (10 MB for 100,000
 * seats) and a thread of libuv's pool (four, shared with DNS lookups). Beyond, identity is served.
 */
export const MAX_CONCURRENT_COMPRESSIONS = 2;

/** Venues never change, so an event's map changes only with its venue, prices or currency. */
export function seatMapTag(row: Pick<EventWithVenueRow, 'id' | 'venue_id' | 'currency' | 'prices_json'>): string {
  const digest = createHash('sha256')
    .update(`${row.id}\n${row.venue_id}\n${row.currency}\n${row.prices_json}`)
    .digest('base64url')
    .slice(0, 27);
  return `"${digest}"`;
}

export interface EventSeatMapsDeps {
  db: Kysely<EventDatabase>;
  /** Priced maps by the ETag of their coding. */
  cache: SeatMapCache;
  /** Venue templates by venue id. */
  templates: LruCache<SeatMapTemplate>;
}

export function createEventSeatMaps({ db, cache, templates }: EventSeatMapsDeps) {
  const events = createEventRepository(db);
  const venues = createVenueRepository(db);
  /** Identity renders under way, by ETag; compressions, by coded tag. */
  const rendering = createInFlight();
  const compressor = createCompressor(MAX_CONCURRENT_COMPRESSIONS);

  async function templateOf(venueId: string): Promise<SeatMapTemplate> {
    const known = templates.get(venueId);
    if (known) return known;
    const json = await venues.seatMapJson(venueId);
    if (json === undefined) throw new NotFound('Venue');
    const template = createSeatMapTemplate(JSON.parse(json) as VenueSeatMap);
    templates.set(venueId, template);
    return template;
  }

  /** The identity bytes of a version, rendered once for however many ask at the same time. */
  function renderIdentity(etag: string, row: EventWithVenueRow): Promise<Buffer> {
    return rendering.run(etag, async () => {
      const template = await templateOf(row.venue_id);
      const prices = JSON.parse(row.prices_json) as Record<string, number>;
      return renderSeatMap(template, { eventId: row.id, venueId: row.venue_id, currency: row.currency, prices });
    });
  }

  async function identityBody(etag: string, row: EventWithVenueRow): Promise<SeatMapBody> {
    const cached = cache.get(etag);
    if (cached !== undefined) return { coding: 'identity', bytes: cached };
    const bytes = await renderIdentity(etag, row);
    cache.set(etag, bytes);
    return { coding: 'identity', bytes };
  }

  async function codedBody(etag: string, row: EventWithVenueRow, coding: ContentCoding): Promise<SeatMapBody> {
    const key = codedTag(etag, coding);
    const cached = cache.get(key);
    if (cached !== undefined) return { coding, bytes: cached };
    // Rendered for the compression, and not kept for it: the compressed bytes are what clients
    // that ask for this coding get (the identity bytes are some twenty times their size).
    const encoded = await compressor.compress(key, coding, () => cache.get(etag) ?? renderIdentity(etag, row), (bytes) => cache.set(key, bytes));
    // Too many compressions under way, or zlib failed: the map itself can still be sent.
    return encoded ? { coding, bytes: encoded } : identityBody(etag, row);
  }

  return {
    async version(id: string, viewer: Principal | undefined): Promise<SeatMapVersion> {
      const row = await events.find(id);
      if (!row || !maySee(visibilityOf(row), viewer)) throw new NotFound('Event');
      const etag = seatMapTag(row);
      return {
        etag,
        // Drafts (and drafts cancelled) are private, and a draft is still changing; a published
        // event's prices are frozen, but caches revalidate each minute so that a cancellation's
        // status is never far behind.
        cacheControl: isPublic(visibilityOf(row)) ? 'public, max-age=60, must-revalidate' : 'private, no-cache',
        body: (coding = 'identity') => (coding === 'identity' ? identityBody(etag, row) : codedBody(etag, row, coding)),
      };
    },
  };
}
export type EventSeatMaps = ReturnType<typeof createEventSeatMaps>;
