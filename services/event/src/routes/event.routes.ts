/** HTTP adapter for an organiser's event changes: create a draft, edit it, publish, cancel. */
import { event, eventInput, eventPatch, idempotencyKeyHeader, ifMatchHeader, noBody, problemResponses } from '@stream-seat/contracts';
import { type App, principalOf, requireRole, type TokenVerifier } from '@stream-seat/platform';
import type { EventCatalogue } from '../catalogue/event-catalogue.js';
import { sendEvent } from './event-reply.js';
import { idParams } from './id-params.js';

const organiserOnly = (summary: string, description?: string) => ({
  summary,
  ...(description ? { description } : {}),
  tags: ['events'],
  security: [{ bearer: [] }],
});

const ifMatchDoc = ' With `If-Match` (the event’s ETag, which is its `updatedAt` quoted), only that version is changed: 412 otherwise.';

export function registerEventRoutes(app: App, events: EventCatalogue, verifier: TokenVerifier): void {
  const organizer = requireRole(verifier, 'organizer');

  app.post(
    '/api/events',
    {
      onRequest: organizer,
      schema: {
        ...organiserOnly('Create an event (DRAFT)', 'Prices are by tier of the venue, in minor units of `currency`.'),
        headers: idempotencyKeyHeader,
        body: eventInput,
        response: { 201: event, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const { row, replayed } = await events.create(principalOf(request), request.body, request.headers['idempotency-key']);
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.header('location', `/api/events/${row.id}`);
      return reply.code(201).send(sendEvent(reply, row));
    },
  );

  app.patch(
    '/api/events/:id',
    {
      onRequest: organizer,
      schema: {
        ...organiserOnly('Change a draft', `Only a DRAFT can change (409 otherwise); \`null\` clears a sales bound.${ifMatchDoc}`),
        params: idParams,
        headers: ifMatchHeader,
        body: eventPatch,
        response: { 200: event, ...problemResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request, reply) => sendEvent(reply, await events.patch(principalOf(request), request.params.id, request.body, request.headers['if-match'])),
  );

  app.post(
    '/api/events/:id/publish',
    {
      onRequest: organizer,
      schema: {
        ...organiserOnly(
          'Put a draft on sale (DRAFT → ON_SALE)',
          'Needs a price for every tier, a future start and a sales window that is not over. ' +
            `The booking service is told through the outbox. Publishing an event on sale changes nothing.${ifMatchDoc}`,
        ),
        params: idParams,
        headers: ifMatchHeader,
        body: noBody,
        response: { 200: event, ...problemResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request, reply) => sendEvent(reply, await events.publish(principalOf(request), request.params.id, request.headers['if-match'])),
  );

  app.post(
    '/api/events/:id/cancel',
    {
      onRequest: organizer,
      schema: {
        ...organiserOnly('Cancel an event (→ CANCELLED)', `The booking service refunds its orders. Cancelling a cancelled event changes nothing.${ifMatchDoc}`),
        params: idParams,
        headers: ifMatchHeader,
        body: noBody,
        response: { 200: event, ...problemResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request, reply) => sendEvent(reply, await events.cancel(principalOf(request), request.params.id, request.headers['if-match'])),
  );
}
