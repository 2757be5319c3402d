/** An event as every route answers with one: its view, and its version as the ETag (for `If-Match`). */
import type { FastifyReply } from 'fastify';
import { toEventView } from '../catalogue/views.js';
import type { EventWithVenueRow } from '../db/event.repository.js';
import { eventTag } from '../domain/event-version.js';

export function sendEvent(reply: FastifyReply, row: EventWithVenueRow) {
  reply.header('etag', eventTag(Number(row.updated_at)));
  return toEventView(row);
}
