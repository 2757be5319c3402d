/** HTTP adapter for reading the catalogue: the event list, one event, an event's seat map. */
import { event, eventStatus, isoDateTime, MAX_SEARCH_LENGTH, page, paginationQuery, problemResponses, seatMap } from '@stream-seat/contracts';
import { type App, cursorId, cursorTime, decodeCursor, encodeCursor, InvalidField, optionalPrincipal, sendCodedJson, type TokenVerifier } from '@stream-seat/platform';
import { z } from 'zod';
import type { EventCatalogue } from '../catalogue/event-catalogue.js';

import type { EventSeatMaps } from '../catalogue/event-seat-map.js';
import { toEventView } from '../catalogue/views.js';
import { sendEvent } from './event-reply.js';
import { idParams } from './id-params.js';
import { searchWords } from '../domain/search-text.js';

/**
 * An instant in the query string, where a `+` offset arrives as a space (URL query encoding): said
 * so, rather than a bare "Invalid ISO datetime".
 */
const queryInstant = z
  .string()
  .superRefine((value, ctx) => {
    if (/T[\d:.]+ \d{2}:?\d{2}$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: "a '+' in a query string reads as a space: write the offset's + as %2B (…T21:00:00%2B01:00)" });
    }
  })
  .pipe(isoDateTime);

const listQuery = paginationQuery.extend({
  status: eventStatus.optional(),
  from: queryInstant.optional().describe('events starting at or after this instant'),
  to: queryInstant.optional().describe('events starting before this instant'),
  q: z
    .string()
    .trim()
    .min(1)
    .max(MAX_SEARCH_LENGTH)
    // A line break had matched across the name and the city; marks alone had matched every event.
    .refine((q) => !/\p{Cc}/u.test(q), 'must not contain control characters (a line break, a tab)')
    .refine((q) => searchWords(q).length > 0, 'must contain a letter, digit or sign to look for')
    .optional()
    .describe("words each found in the event's name or its venue's city"),
  mine: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe("only the caller's events (needs a token)"),
});
const cursorPosition = z.strictObject({ s: cursorTime, i: cursorId });

export function registerEventQueryRoutes(app: App, events: EventCatalogue, seatMaps: EventSeatMaps, verifier: TokenVerifier): void {
  app.get(
    '/api/events',
    {
      schema: {
        summary: 'List events',
        description: 'Events on sale or cancelled, in start order; with a token, also the caller’s drafts.',
        tags: ['events'],
        querystring: listQuery,
        response: { 200: page(event), ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const viewer = await optionalPrincipal(verifier, request);
      const { limit, cursor, status, from, to, q, mine } = request.query;
      const fromMs = from === undefined ? undefined : Date.parse(from);
      const toMs = to === undefined ? undefined : Date.parse(to);
      if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new InvalidField('querystring.to', 'must be after from');
      const after = decodeCursor(cursor, cursorPosition);
      const rows = await events.list(viewer, {
        status,
        from: fromMs,
        to: toMs,
        q,
        mine,
        limit: limit + 1,
        after: after ? { startsAt: after.s, id: after.i } : undefined,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(toEventView),
        nextCursor: rows.length > limit && last ? encodeCursor({ s: Number(last.starts_at), i: last.id }) : null,
      };
    },
  );

  app.get(
    '/api/events/:id',
    {
      schema: {
        summary: 'One event, with its venue summary and prices',
        description: 'A draft is visible to its organiser (and admins) only; others get 404.',
        tags: ['events'],
        params: idParams,
        response: { 200: event, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendEvent(reply, await events.get(request.params.id, await optionalPrincipal(verifier, request))),
  );

  app.get(
    '/api/events/:id/seatmap',
    {
      schema: {
        summary: "An event's seat map: every seat with its coordinates, tier and price",
        description:
          'Served with an ETag and Cache-Control; `If-None-Match` with the current tag gets 304. Compressed (br or gzip) when the client accepts it, each coding with its own ETag.',
        tags: ['events'],
        params: idParams,
        response: { 200: seatMap, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const version = await seatMaps.version(request.params.id, await optionalPrincipal(verifier, request));
      reply.header('cache-control', version.cacheControl);
      // The coding asked for, or identity when it could not be had now (see BodyVersion.body).
      return sendCodedJson(request, reply, version.etag, version.body);
    },
  );
}
