/** HTTP adapter for seat availability: every seat's state, counts, and the seq it reflects. */
import { availability, entityId, problemResponses } from '@stream-seat/contracts';
import { type App, callContextOf } from '@stream-seat/platform';
import { z } from 'zod';
import type { InventoryRepository } from '../db/inventory.repository.js';
import { loadAvailability } from '../domain/availability.js';
import type { InventoryService } from '../domain/inventory-service.js';

export function registerAvailabilityRoutes(app: App, inventory: InventoryService, inventories: InventoryRepository, clock: () => number): void {
  app.get(
    '/api/availability/:eventId',
    {
      schema: {
        summary: 'The state of every seat of an event',
        tags: ['availability'],
        params: z.object({ eventId: entityId }),
        response: { 200: availability, ...problemResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      // First access creates the inventory of an on-sale event; others are 404/409 from ensure.
      await inventory.ensure(eventId, undefined, callContextOf(request));
      const body = await loadAvailability(inventories, eventId, clock());
      // Written as it is, not checked against the schema entry by entry: its type is the schema's,
      // and on a 100,000-seat event the check took 40 % of the answer's time (the docs keep it).
      return reply.type('application/json; charset=utf-8').serializer((payload) => JSON.stringify(payload)).send(body);
    },
  );
}
