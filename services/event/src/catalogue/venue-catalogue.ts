/** Venue use cases: create from a layout (once per Idempotency-Key), read, list one's own. */
import { randomUUID } from 'node:crypto';
import type { VenueLayout } from '@stream-seat/contracts';
import { NotFound, type Principal } from '@stream-seat/platform';
import type { Dialect } from '@stream-seat/db';
import type { Kysely } from 'kysely';
import type { EventDatabase } from '../db/schema.js';
import { createVenueRepository, storedSeatMap, type VenueSummaryRow } from '../db/venue.repository.js';
import { VenueSeatQuotaExceeded } from '../domain/catalogue-errors.js';
import { mayChange } from '../domain/event-rules.js';
import { buildSeatMap } from '../domain/seat-map.js';
import { checkDrawable } from '../domain/seat-map-collisions.js';
import { checkLayout, layoutCapacity, layoutTiers } from '../domain/venue-layout.js';
import { bodyTag, type BodyVersion, type CachedBodies, cacheControlFor } from './cached-bodies.js';
import { createOnce } from './idempotent-create.js';
import { venueJson } from './views.js';

export interface VenueCatalogueDeps {
  db: Kysely<EventDatabase>;
  dialect: Dialect;
  clock: () => number;
  /** Venues' bodies, as served, by ETag and coding. */
  bodies: CachedBodies;
  /** Seats an organiser's venues may hold in all (admins' are not counted against it). */
  seatsPerOrganizer: number;
}

/** What a venue's body holds; a release that changes it changes this, and with it every venue's tag. */
const VENUE_BODY_FORMAT = 1;

/** A venue's ETag: venues never change, so the id (and the body's format) is the whole version. */
export function venueTag(id: string): string {
  return bodyTag(`venue\n${VENUE_BODY_FORMAT}\n${id}`);
}

/** Twenty of the largest venues a layout may describe (100,000 seats each). */
export const VENUE_SEATS_PER_ORGANIZER = 2_000_000;

export function createVenueCatalogue({ db, dialect, clock, bodies, seatsPerOrganizer }: VenueCatalogueDeps) {
  const venues = createVenueRepository(db);

  /** The venue, if the viewer may see it: its organiser's until an event on sale uses it, public from then on. */
  async function visibleVenue(id: string, viewer: Principal | undefined): Promise<{ row: VenueSummaryRow; isPublic: boolean }> {
    const row = await venues.findSummary(id);
    if (!row) throw new NotFound('Venue');
    const isPublic = await venues.hasPublicEvent(id);
    if (!isPublic && !mayChange(row.organizer_id, viewer)) throw new NotFound('Venue');
    return { row, isPublic };
  }

  /** The venue with its seat map, as JSON text. */
  async function venueText(row: VenueSummaryRow): Promise<string> {
    const seatMap = await venues.seatMapJson(row.id);
    if (seatMap === undefined) throw new NotFound('Venue');
    return venueJson(row, seatMap);
  }

  return {
    async create(principal: Principal, layout: VenueLayout, idempotencyKey: string | undefined) {
      checkLayout(layout);
      const adding = layoutCapacity(layout);
      const now = clock();
      /** A 409 when the organiser's venues, counted by `count` (admins' are not), would pass the quota. */
      const checkQuota = async (count: (organizerId: string) => Promise<number>) => {
        if (principal.role === 'admin') return;
        const held = await count(principal.sub);
        if (held + adding > seatsPerOrganizer) throw new VenueSeatQuotaExceeded(held, adding, seatsPerOrganizer);
      };
      let created: { row: VenueSummaryRow; seatMapJson: string } | undefined;
      const outcome = await createOnce(
        db,
        { caller: principal.sub, operation: 'POST /api/venues', key: idempotencyKey, body: layout },
        now,
        async () => {
          // Counted before the seat map is built and zipped (seconds of CPU for 100,000 seats): an
          // organiser over the quota had stalled the service with venues it went on to refuse.
          await checkQuota((organizerId) => venues.capacityOf(organizerId));
          const seatMap = buildSeatMap(layout);
          checkDrawable(layout, seatMap);
          const seatMapJson = JSON.stringify(seatMap);
          const seatMapColumns = await storedSeatMap(seatMapJson);
          return async (trx) => {
            const repository = createVenueRepository(trx);
            // Counted again in the creating transaction, locking on MySQL (see capacityOf).
            await checkQuota((organizerId) => repository.capacityOf(organizerId, dialect === 'mysql'));
            const row: VenueSummaryRow = {
              id: randomUUID(),
              organizer_id: principal.sub,
              name: layout.name,
              city: layout.city ?? null,
              capacity: adding,
              tiers_json: JSON.stringify(layoutTiers(layout)),
              created_at: now,
            };
            await repository.insert({ ...row, layout_json: JSON.stringify(layout), ...seatMapColumns });
            created = { row, seatMapJson };
            return row.id;
          };
        },
      );
      // The venue just made is answered from the JSON in hand (reading it back would unzip it);
      // a replay answers the venue the key made first, as stored.
      const json = created?.row.id === outcome.resourceId && !outcome.replayed ? venueJson(created.row, created.seatMapJson) : await this.json(outcome.resourceId, principal);
      return { id: outcome.resourceId, json, replayed: outcome.replayed };
    },

    /** The venue with its seat map, as JSON text. */
    async json(id: string, viewer: Principal | undefined): Promise<string> {
      return venueText((await visibleVenue(id, viewer)).row);
    },

    /**
     * The venue as a GET serves it: a venue never changes, so its tag is its id's, and its body —
     * some 9 MB for 100,000 seats — is made and compressed once, then served from memory.
     */
    async version(id: string, viewer: Principal | undefined): Promise<BodyVersion> {
      const { row, isPublic } = await visibleVenue(id, viewer);
      const etag = venueTag(id);
      return {
        etag,
        cacheControl: cacheControlFor(isPublic),
        body: (coding = 'identity') => bodies.body(etag, coding, async () => Buffer.from(await venueText(row))),
      };
    },

    /** An organiser's own venues; an admin's list holds everyone's. */
    async list(viewer: Principal, limit: number, after: { createdAt: number; id: string } | undefined) {
      return venues.list({ organizerId: viewer.role === 'admin' ? undefined : viewer.sub, limit, after });
    },
  };
}
export type VenueCatalogue = ReturnType<typeof createVenueCatalogue>;
