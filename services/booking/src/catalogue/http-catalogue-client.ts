/**
 * The catalogue over HTTP: `lb://EVENT-SERVICE` through the registry. Seat maps are immutable per
 * event, so they are cached and revalidated with their ETag; events (status, sales window) are
 * cached briefly, served stale if the catalogue is unreachable, and fetched once for concurrent
 * callers.
 */
import { entityId, event as eventSchema, seatMap as seatMapSchema, type SeatMap } from '@stream-seat/contracts';
import { type CallContext, createInFlight, DependencyUnavailable, type ServiceClient } from '@stream-seat/platform';
import type { CatalogueClient, CatalogueEvent } from '../domain/catalogue-client.js';

export interface HttpCatalogueClientOptions {
  client: ServiceClient;
  /** How long an event's status and sales window are trusted before asking again. */
  eventTtlMs: number;
  clock?: () => number;
  /**
   * Seats (and sections) of the seat maps kept in memory, in all, least recently used dropped
   * first, the newest kept whatever its size: 500,000 by default, some 80 MB parsed. They had been
   * bounded by count only — 200 maps of 100,000 seats are 3.2 GB, which one organiser could make
   * booking fetch by putting events on sale.
   */
  maxCachedSeats?: number;
  /** Seat maps kept at most, however small (standing areas alone weigh little): 200. */
  maxSeatMaps?: number;
  /** Events kept at most, and as many answers that an event does not exist (oldest dropped first). */
  maxEvents?: number;
}

export interface CatalogueClientStats {
  requests: number;
  /** Seat maps kept, and their weight in all (seats and sections). */
  seatMapsCached: number;
  seatsCached: number;
  /** Seat-map revalidations the catalogue answered with 304 Not Modified. */
  notModified: number;
}

/** No event has any other id; asked for, `.` or `..` would become a path of its own. */
const couldBeEventId = (eventId: string) => entityId.safeParse(eventId).success;

export function createHttpCatalogueClient(options: HttpCatalogueClientOptions): CatalogueClient & { stats: () => CatalogueClientStats } {
  const clock = options.clock ?? Date.now;
  const maxCachedSeats = options.maxCachedSeats ?? 500_000;
  const maxSeatMaps = options.maxSeatMaps ?? 200;
  const maxEvents = options.maxEvents ?? 10_000;
  // Apart, so that anyone asking for random ids (each a "no such event") never pushes out a real
  // event, which is served stale while the catalogue is down.
  /** `failing`: the last time it was asked for, the catalogue did not answer (see `event`). */
  const events = new Map<string, { value: CatalogueEvent; at: number; failing?: boolean }>();
  const missing = new Map<string, { value: undefined; at: number }>();
  /** Keeps `entry` as the newest of `cache`, dropping its oldest beyond `max` (a Map keeps insertion order). */
  function keep<T>(cache: Map<string, T>, max: number, eventId: string, entry: T): void {
    cache.delete(eventId);
    cache.set(eventId, entry);
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
  }
  const seatMaps = new Map<string, { etag: string | undefined; value: SeatMap }>();
  let cachedSeats = 0;
  /** What a map weighs in the bound: its seats, and its sections (a map of standing areas only has no seats). */
  const weightOf = (map: SeatMap) => map.seats.length + map.sections.length;
  /** Keeps `entry` as the most recently used seat map, dropping the least recently used while over the bounds. */
  function keepSeatMap(eventId: string, entry: { etag: string | undefined; value: SeatMap }): void {
    const earlier = seatMaps.get(eventId);
    if (earlier) cachedSeats -= weightOf(earlier.value);
    seatMaps.delete(eventId);
    seatMaps.set(eventId, entry);
    cachedSeats += weightOf(entry.value);
    for (const [oldest, { value }] of seatMaps) {
      if ((cachedSeats <= maxCachedSeats && seatMaps.size <= maxSeatMaps) || oldest === eventId) break;
      seatMaps.delete(oldest);
      cachedSeats -= weightOf(value);
    }
  }
  const inFlight = createInFlight();
  let requests = 0;
  let notModified = 0;

  async function fetchEvent(eventId: string, caller: CallContext | undefined): Promise<CatalogueEvent | undefined> {
    if (!couldBeEventId(eventId)) return undefined;
    requests++;
    const response = await options.client.getJson<unknown>(`/api/events/${encodeURIComponent(eventId)}`, {}, caller);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new DependencyUnavailable('EVENT-SERVICE', `The catalogue answered ${response.status} for event ${eventId}`);
    const parsed = eventSchema.safeParse(response.body);
    if (!parsed.success) throw new DependencyUnavailable('EVENT-SERVICE', `The catalogue sent an event this service cannot read: ${parsed.error.message}`);
    const { id, organizerId, status, currency, startsAt, salesStartAt, salesEndAt, maxSeatsPerOrder } = parsed.data;
    return { id, organizerId, status, currency, startsAt, salesStartAt, salesEndAt, maxSeatsPerOrder };
  }

  return {
    stats: () => ({ requests, notModified, seatMapsCached: seatMaps.size, seatsCached: cachedSeats }),

    /**
     * Concurrent callers share one fetch, which carries the first caller's trace. A known event
     * the catalogue failed to give last time is served stale at once, and asked for again in the
     * background at each later call (one request at a time) until it answers: a hung catalogue had held every hold for its whole timeout
     * (3.5 s each, one after the other — probe 30). A catalogue that answers is waited for, so
     * that a cancellation is seen before the next sale even before its message comes.
     */
    async event(eventId, caller, { fresh = false } = {}) {
      const known = events.get(eventId);
      const cached = known ?? (fresh ? undefined : missing.get(eventId));
      if (cached && clock() - cached.at < options.eventTtlMs) return cached.value;
      const asked = inFlight.run(`event:${eventId}`, async () => {
        try {
          const value = await fetchEvent(eventId, caller);
          if (value) {
            missing.delete(eventId);
            keep(events, maxEvents, eventId, { value, at: clock() });
          } else {
            events.delete(eventId);
            keep(missing, maxEvents, eventId, { value, at: clock() });
          }
          return value;
        } catch (error) {
          // Stale beats nothing: the inventory's own CLOSED flag still stops sales of a cancelled event.
          const stale = events.get(eventId) ?? known;
          if (!stale) throw error;
          stale.failing = true;
          return stale.value;
        }
      });
      if (!known?.failing) return asked;
      void asked.catch(() => undefined);
      return known.value;
    },

    forget(eventId) {
      events.delete(eventId);
      missing.delete(eventId);
    },

    async seatMap(eventId, caller) {
      if (!couldBeEventId(eventId)) return undefined;
      return inFlight.run(`seatmap:${eventId}`, async () => {
        const cached = seatMaps.get(eventId);
        requests++;
        const response = await options.client.getJson<unknown>(
          `/api/events/${encodeURIComponent(eventId)}/seatmap`,
          cached?.etag ? { 'if-none-match': cached.etag } : {},
          caller,
        );
        if (response.status === 304 && cached) {
          notModified++;
          // Used again: the last to be dropped (a busy event's map had gone first).
          keepSeatMap(eventId, cached);
          return cached.value;
        }
        if (response.status === 404) return undefined;
        if (response.status !== 200) throw new DependencyUnavailable('EVENT-SERVICE', `The catalogue answered ${response.status} for the seat map of ${eventId}`);
        const parsed = seatMapSchema.safeParse(response.body);
        if (!parsed.success) throw new DependencyUnavailable('EVENT-SERVICE', `The catalogue sent a seat map this service cannot read: ${parsed.error.message}`);
        const etag = response.headers['etag'];
        keepSeatMap(eventId, { etag: typeof etag === 'string' ? etag : undefined, value: parsed.data });
        return parsed.data;
      });
    },
  };
}
