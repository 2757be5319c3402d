/** HTTP adapter for events: schema in, repository call, schema out. */
import { event, eventStatus, page, paginationQuery } from '@stream-seat/contracts';
import { type App, decodeCursor, encodeCursor } from '@stream-seat/platform';
import { z } from 'zod';
import type { EventRepository } from '../db/event.repository.js';
import type { EventTable } from '../db/schema.js';

const listQuery = paginationQuery.extend({ status: eventStatus.optional() });
const cursorPosition = z.object({ s: z.number(), i: z.string() });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toEventView(row: EventTable): z.infer<typeof event> {
  return {
    id: row.id,
    organizerId: row.organizer_id,
    venueId: row.venue_id,
    name: row.name,
    status: row.status,
    startsAt: new Date(row.starts_at).toISOString(),
    currency: row.currency,
    prices: JSON.parse(row.prices_json) as Record<string, number>,
    salesStartAt: iso(row.sales_start_at),
    salesEndAt: iso(row.sales_end_at),
    maxSeatsPerOrder: row.max_seats_per_order,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function registerEventRoutes(app: App, events: EventRepository): void {
  app.get(
    '/api/events',
    {
      schema: {
        summary: 'List events',
        tags: ['events'],
        querystring: listQuery,
        response: { 200: page(event) },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      const after = decodeCursor(cursor, cursorPosition);
      const rows = await events.list({
        status,
        limit: limit + 1,
        after: after ? { startsAt: after.s, id: after.i } : undefined,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(toEventView),
        nextCursor: rows.length > limit && last ? encodeCursor({ s: last.starts_at, i: last.id }) : null,
      };
    },
  );
}
