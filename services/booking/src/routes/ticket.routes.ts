/** HTTP adapter for check-in at the door. */
import { checkIn, entityId, noBody, problemResponses } from '@stream-seat/contracts';
import { type App, principalOf, requireRole, type TokenVerifier } from '@stream-seat/platform';
import { z } from 'zod';
import type { OrderService } from '../domain/order-service.js';
import { toCheckInView } from './booking-views.js';

export function registerTicketRoutes(app: App, orders: OrderService, verifier: TokenVerifier): void {
  app.post(
    '/api/tickets/:code/check-in',
    {
      onRequest: requireRole(verifier, 'organizer'),
      schema: {
        summary: "Check a ticket in (the event's organizer): 200 once, 409 after, 404 unknown",
        description:
          '409 already-checked-in the second time; 409 ticket-void when its order is cancelled (or being cancelled). ' +
          "With `eventId` (the door's event), a ticket of another event is 409 wrong-event, naming the ticket's `eventId`, and is not checked in.",
        tags: ['tickets'],
        security: [{ bearer: [] }],
        params: z.object({ code: entityId }),
        querystring: z.strictObject({ eventId: entityId.optional() }),
        body: noBody,
        response: { 200: checkIn, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => toCheckInView(await orders.checkIn(principalOf(request), request.params.code, request.query.eventId)),
  );
}
