/** Composition root of the event service: wires the database, the catalogue and the routes; never listens. */
import { LAYOUT_BODY_LIMIT_BYTES } from '@stream-seat/contracts';
import { type Database, isContention, isDatabaseUnavailable } from '@stream-seat/db';
import { type App, Contended, createService, registerRoutes, ServiceUnavailable, type TokenVerifier } from '@stream-seat/platform';
import { Gauge } from 'prom-client';
import { createEventCatalogue } from './catalogue/event-catalogue.js';
import { createBodyCompressor, createCachedBodies } from './catalogue/cached-bodies.js';
import { createEventSeatMaps } from './catalogue/event-seat-map.js';
import { createLruCache, createSeatMapCache } from './catalogue/seat-map.cache.js';
import type { SeatMapTemplate } from './catalogue/seat-map-template.js';
import { createVenueCatalogue, VENUE_SEATS_PER_ORGANIZER } from './catalogue/venue-catalogue.js';
import type { EventDatabase } from './db/schema.js';
import { registerEventQueryRoutes } from './routes/event-query.routes.js';
import { registerEventRoutes } from './routes/event.routes.js';
import { registerVenueRoutes } from './routes/venue.routes.js';

export interface EventAppDeps {
  database: Database<EventDatabase>;
  verifier: TokenVerifier;
  clock?: () => number;
  /** Called after a commit that wrote an outbox message (the relay's nudge). */
  onOutboxWritten?: () => void;
  seatMapCacheBytes?: number;
  /** Seats an organiser's venues may hold in all (VENUE_SEATS_PER_ORGANIZER). */
  venueSeatsPerOrganizer?: number;
  bodyLimit?: number;
  logLevel?: string;
  logger?: boolean;
}

export function buildEventApp(deps: EventAppDeps): App {
  const clock = deps.clock ?? Date.now;
  const db = deps.database.db;
  const app = createService({
    name: 'event',
    logLevel: deps.logLevel ?? 'info',
    logger: deps.logger ?? true,
    bodyLimit: deps.bodyLimit ?? LAYOUT_BODY_LIMIT_BYTES,
    openapi: {
      title: 'Stream-Seat event service',
      description: 'The catalogue: venues and their seat maps, events, price tiers, sales windows',
    },
    errorMappers: [
      (error) => (isContention(error) ? new Contended('Others are changing this right now; retry') : undefined),
      (error) => (isDatabaseUnavailable(error) ? new ServiceUnavailable('The database is unavailable') : undefined),
    ],
  });
  app.addReadinessCheck({ name: 'database', check: () => deps.database.ping() });
  // A growing backlog means the booking service is not hearing of publications and cancellations.
  new Gauge({
    name: 'event_outbox_undelivered_messages',
    help: 'Outbox messages the booking service has not acknowledged yet',
    registers: [app.metricsRegistry],
    async collect() {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('delivered_at', 'is', null)
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });

  const events = createEventCatalogue({ db, dialect: deps.database.dialect, clock, ...(deps.onOutboxWritten ? { onOutboxWritten: deps.onOutboxWritten } : {}) });
  // A third of the budget each for priced maps, venue templates and venues as served (one
  // 100,000-seat venue is 9-16.5 MB as JSON: in a cache of its own, it crowds out no event's map),
  // with one bound on compressions at once for all.
  const cacheBytes = (deps.seatMapCacheBytes ?? 64 * 1024 * 1024) / 3;
  const compressor = createBodyCompressor();
  const seatMaps = createEventSeatMaps({
    db,
    bodies: createCachedBodies(createSeatMapCache(cacheBytes), compressor),
    templates: createLruCache<SeatMapTemplate>(cacheBytes, (t) => t.bytes),
  });
  const venueBodies = createCachedBodies(createSeatMapCache(cacheBytes), compressor);
  registerRoutes(app, (routes) => {
    registerVenueRoutes(routes, createVenueCatalogue({ db, dialect: deps.database.dialect, clock, bodies: venueBodies, seatsPerOrganizer: deps.venueSeatsPerOrganizer ?? VENUE_SEATS_PER_ORGANIZER }), deps.verifier);
    registerEventRoutes(routes, events, deps.verifier);
    registerEventQueryRoutes(routes, events, seatMaps, deps.verifier);
  });
  return app;
}
