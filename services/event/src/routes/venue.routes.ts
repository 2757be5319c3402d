/** HTTP adapter for venues: create from a layout, read with its seat map, list one's own. */
import { idempotencyKeyHeader, page, paginationQuery, problemResponses, venue, venueLayout, venueSummary } from '@stream-seat/contracts';
import { type App, cursorId, cursorTime, decodeCursor, encodeCursor, optionalPrincipal, principalOf, requireRole, sendCodedJson, sendJsonText, type TokenVerifier } from '@stream-seat/platform';
import { z } from 'zod';
import type { VenueCatalogue } from '../catalogue/venue-catalogue.js';
import { toVenueSummaryView } from '../catalogue/views.js';
import { idParams } from './id-params.js';

const venueListItem = venueSummary.extend({ organizerId: z.string(), tiers: z.array(z.string()), createdAt: z.string() });
const cursorPosition = z.strictObject({ c: cursorTime, i: cursorId });

export function registerVenueRoutes(app: App, venues: VenueCatalogue, verifier: TokenVerifier): void {
  app.post(
    '/api/venues',
    {
      onRequest: requireRole(verifier, 'organizer'),
      schema: {
        summary: 'Create a venue from a layout',
        description:
          'Sections of rows (`{"label": "A", "seats": 20, "curve"?, "offset"?}`) or a general-admission `capacity`. ' +
          'Seat ids are `SECTION-ROW-NUMBER`; coordinates are generated. At most 100,000 places; 409 `venue-seat-quota` when the organiser\'s venues would hold more than VENUE_SEATS_PER_ORGANIZER in all.',
        tags: ['venues'],
        security: [{ bearer: [] }],
        headers: idempotencyKeyHeader,
        body: venueLayout,
        response: { 201: venue, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const { id, json, replayed } = await venues.create(
        principalOf(request),
        request.body,
        request.headers['idempotency-key'],
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.header('location', `/api/venues/${id}`);
      return sendJsonText(reply, 201, json);
    },
  );

  app.get(
    '/api/venues',
    {
      onRequest: requireRole(verifier, 'organizer'),
      schema: {
        summary: "List the caller's venues (an admin's: everyone's)",
        tags: ['venues'],
        security: [{ bearer: [] }],
        querystring: paginationQuery,
        response: { 200: page(venueListItem), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = decodeCursor(cursor, cursorPosition);
      const rows = await venues.list(
        principalOf(request),
        limit + 1,
        after ? { createdAt: after.c, id: after.i } : undefined,
      );
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(toVenueSummaryView),
        nextCursor: rows.length > limit && last ? encodeCursor({ c: Number(last.created_at), i: last.id }) : null,
      };
    },
  );

  app.get(
    '/api/venues/:id',
    {
      schema: {
        summary: 'A venue with its seat map',
        description:
          "Its organiser's until an event on sale uses it; public from then on. Served with an ETag and Cache-Control (a venue never changes); `If-None-Match` with the current tag gets 304. Compressed (br or gzip) when the client accepts it, each coding with its own ETag.",
        tags: ['venues'],
        params: idParams,
        response: { 200: venue, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const version = await venues.version(request.params.id, await optionalPrincipal(verifier, request));
      reply.header('cache-control', version.cacheControl);
      return sendCodedJson(request, reply, version.etag, version.body);
    },
  );
}
