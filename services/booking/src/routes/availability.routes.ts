/** HTTP adapter for seat availability. */
import { NotFound, type App } from '@stream-seat/platform';
import { z } from 'zod';
import type { SeatRepository } from '../db/seat.repository.js';

const seatStatus = z.enum(['AVAILABLE', 'HELD', 'BOOKED']);
const availability = z.object({
  eventId: z.string(),
  seq: z.number().int(),
  seats: z.record(z.string(), seatStatus),
  counts: z.record(z.string(), z.number().int()),
});

export function registerAvailabilityRoutes(app: App, seats: SeatRepository, clock: () => number): void {
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
      const snapshot = await seats.snapshot(request.params.eventId, clock());
      if (!snapshot) throw new NotFound(`Availability of event ${request.params.eventId}`);
      const counts: Record<string, number> = { AVAILABLE: 0, HELD: 0, BOOKED: 0 };
      const states: Record<string, z.infer<typeof seatStatus>> = {};
      for (const seat of snapshot.seats) {
        states[seat.seatId] = seat.status;
        counts[seat.status] = (counts[seat.status] ?? 0) + 1;
      }
      return { eventId: request.params.eventId, seq: snapshot.seq, seats: states, counts };
    },
  );
}
