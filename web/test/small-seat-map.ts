/** A seat map small enough to read whole, for the web app's unit tests: two seats and a standing floor. */
import type { SeatMap } from '@stream-seat/contracts';

export const smallSeatMap = {
  eventId: 'e1',
  venueId: 'v1',
  currency: 'EUR',
  bounds: { width: 100, height: 100 },
  stage: { x: 50, y: 0 },
  sections: [
    { id: 'ORCH', name: 'Orchestra', tier: 'A', priceCents: 5000, kind: 'seated', capacity: 2 },
    { id: 'FLOOR', name: 'Floor', tier: 'GA', priceCents: 2000, kind: 'general', capacity: 3 },
  ],
  seats: [
    { id: 'ORCH-A-1', section: 'ORCH', row: 'A', number: 1, x: 10, y: 10, tier: 'A', priceCents: 5000 },
    { id: 'ORCH-A-2', section: 'ORCH', row: 'A', number: 2, x: 20, y: 10, tier: 'A', priceCents: 5000 },
  ],
} satisfies SeatMap;
