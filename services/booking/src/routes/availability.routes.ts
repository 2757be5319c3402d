/** HTTP adapter for seat availability: every seat's state, counts, and the seq it reflects. */
import { availability, entityId, problemResponses } from '@stream-seat/contracts';
import { type App, callContextOf, sendCodedJson } from '@stream-seat/platform';
import { z } from 'zod';
import type { AvailabilityViews } from '../domain/availability.js';
import type { InventoryService } from '../domain/inventory-service.js';

export function registerAvailabilityRoutes(app: App, inventory: InventoryService, views: AvailabilityViews, clock: () => number): void {
  app.get(
    '/api/availability/:eventId',
    {
      schema: {
        summary: 'The state of every seat of an event',
        description:
          'Always current (`Cache-Control: no-cache`), with an ETag that names the seats’ states: `If-None-Match` with the current tag gets 304. Compressed (br or gzip) when the client accepts it, each coding with its own ETag.',
        tags: ['availability'],
        params: z.object({ eventId: entityId }),
        response: { 200: availability, ...problemResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      // First access creates the inventory of an on-sale event; others are 404/409 from ensure.
      await inventory.ensure(eventId, undefined, callContextOf(request));
      const view = await views.current(eventId, clock());
      reply.header('cache-control', 'no-cache');
      // Rendered JSON (domain/availability.ts), not run through the schema's serializer.
      return sendCodedJson(request, reply, `"${view.version}"`, view.body, view.selected);
    },
  );
}
