/** HTTP adapter for seat availability: every seat's state, counts, and the seq it reflects. */
import { availability, type Availability } from '@stream-seat/contracts';
import { type App, NotFound } from '@stream-seat/platform';
import { z } from 'zod';
import type { InventoryRepository } from '../db/inventory.repository.js';
import type { InventoryService } from '../domain/inventory-service.js';

/** The availability of an event whose inventory exists: every seat's state and the counts. */
export async function loadAvailability(inventories: InventoryRepository, eventId: string, now: number): Promise<Availability> {
  const snapshot = await inventories.snapshot(eventId, now);
  if (!snapshot) throw new NotFound(`Availability of event ${eventId}`);
  const counts: Availability['counts'] = { AVAILABLE: 0, HELD: 0, BOOKED: 0, bySection: {}, byTier: {} };
  const seats: Availability['seats'] = {};
  for (const seat of snapshot.seats) {
    seats[seat.seatId] = seat.status;
    counts[seat.status] += 1;
    const free = seat.status === 'AVAILABLE' ? 1 : 0;
    const section = (counts.bySection[seat.section] ??= { available: 0, total: 0 });
    section.available += free;
    section.total += 1;
    const tier = (counts.byTier[seat.tier] ??= { available: 0, total: 0 });
    tier.available += free;
    tier.total += 1;
  }
  return { eventId, seq: snapshot.seq, seats, counts };
}

export function registerAvailabilityRoutes(app: App, inventory: InventoryService, inventories: InventoryRepository, clock: () => number): void {
  app.get(
    '/api/availability/:eventId',
    {
      schema: {
        summary: 'The state of every seat of an event',
        tags: ['availability'],
        params: z.object({ eventId: z.string().min(1).max(64) }),
        response: { 200: availability },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      // First access creates the inventory of an on-sale event; others are 404/409 from ensure.
      await inventory.ensure(eventId);
      return loadAvailability(inventories, eventId, clock());
    },
  );
}
