/** HTTP adapter for an event's sales figures, for its organiser. */
import { entityId, problemResponses, salesSummary } from '@stream-seat/contracts';
import { type App, principalOf, requireRole, type TokenVerifier } from '@stream-seat/platform';
import { z } from 'zod';
import type { SalesSummaries } from '../domain/sales-summary.js';

export function registerSalesRoutes(app: App, sales: SalesSummaries, verifier: TokenVerifier): void {
  app.get(
    '/api/sales/:eventId',
    {
      onRequest: requireRole(verifier, 'organizer'),
      schema: {
        summary: "An event's sales figures (the event's organizer, admin): orders, tickets, seats, money",
        description:
          '`orders.confirmed`: orders that stand; `orders.cancelled`: orders cancelled, their refund through or still pending. ' +
          '`tickets.sold`: tickets of the orders that stand; `tickets.checkedIn`: of those, the ones checked in. ' +
          '`seats`: as `GET /api/availability/{eventId}` counts them now (BOOKED, HELD by a hold still running, AVAILABLE, all). ' +
          '`revenueCents`: the totals of the orders that stand; `refundedCents`: the totals of the cancelled orders whose refund went through ' +
          '(a pending refund is in neither). Another organizer, or an event booking has no inventory for: 404. `Cache-Control: no-store`.',
        tags: ['sales'],
        security: [{ bearer: [] }],
        params: z.object({ eventId: entityId }),
        response: { 200: salesSummary, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const summary = await sales.of(principalOf(request), request.params.eventId);
      // The organiser's figures, current at each read: kept by no cache on the way.
      reply.header('cache-control', 'no-store');
      return summary;
    },
  );
}
