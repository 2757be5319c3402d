/**
 * Test data for the booking engine: a CatalogueClient holding events and seat maps in memory. It
 * is a fixture for data, not a stand-in for the event service: the HTTP client is tested against
 * the real event service (catalogue-http.test.ts, tests/e2e/buyer-journey.e2e.test.ts).
 */
import type { SeatMap } from '@stream-seat/contracts';
import type { CatalogueClient, CatalogueEvent } from '../src/domain/catalogue-client.js';

export interface InMemoryCatalogue extends CatalogueClient {
  put(event: CatalogueEvent, map: SeatMap): void;
  update(eventId: string, patch: Partial<CatalogueEvent>): void;
  /** Resolves once the next seat map has been handed over (an inventory's copy begins then). */
  nextSeatMapServed(): Promise<void>;
}

export function createInMemoryCatalogue(): InMemoryCatalogue {
  const events = new Map<string, CatalogueEvent>();
  const maps = new Map<string, SeatMap>();
  const served: Array<() => void> = [];
  return {
    async event(eventId) {
      const found = events.get(eventId);
      return found && { ...found };
    },
    async seatMap(eventId) {
      for (const resolve of served.splice(0)) resolve();
      return maps.get(eventId);
    },
    nextSeatMapServed() {
      return new Promise<void>((resolve) => served.push(resolve));
    },
    put(event, map) {
      events.set(event.id, event);
      maps.set(event.id, map);
    },
    update(eventId, patch) {
      const found = events.get(eventId);
      if (!found) throw new Error(`no event ${eventId}`);
      events.set(eventId, { ...found, ...patch });
    },
  };
}

export interface HallOptions {
  /** Seated rows, each `seatsPerRow` long, in section ORCH (tier A) at y = 10, 20, … */
  rows?: number;
  seatsPerRow?: number;
  /** Capacity of the general-admission section FLOOR (tier GA); 0 for none. */
  floor?: number;
  maxSeatsPerOrder?: number;
  organizerId?: string;
  /** Price of an ORCH seat (tier A); default 5000. */
  seatPriceCents?: number;
}

/** An on-sale event in a simple hall: ORCH rows A, B, … of numbered seats, and a standing FLOOR. */
export function hallEvent(eventId: string, options: HallOptions = {}): { event: CatalogueEvent; map: SeatMap } {
  const rows = options.rows ?? 4;
  const perRow = options.seatsPerRow ?? 10;
  const floor = options.floor ?? 20;
  const priceCents = options.seatPriceCents ?? 5000;
  const seats: SeatMap['seats'] = [];
  for (let r = 0; r < rows; r++) {
    const row = String.fromCharCode(65 + (r % 26)) + (r >= 26 ? String(Math.floor(r / 26)) : '');
    for (let n = 1; n <= perRow; n++) {
      seats.push({ id: `ORCH-${row}-${n}`, section: 'ORCH', row, number: n, x: n * 10, y: 10 + r * 10, tier: 'A', priceCents });
    }
  }
  return {
    event: {
      id: eventId,
      organizerId: options.organizerId ?? 'olga',
      status: 'ON_SALE',
      currency: 'EUR',
      // A year ahead of the real clock (tests that move their own clock stay well before it).
      startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      salesStartAt: null,
      salesEndAt: null,
      maxSeatsPerOrder: options.maxSeatsPerOrder ?? 10,
    },
    map: {
      eventId,
      venueId: 'v1',
      currency: 'EUR',
      bounds: { width: perRow * 10 + 20, height: rows * 10 + 40 },
      stage: { x: ((perRow + 1) * 10) / 2, y: 0 },
      sections: [
        { id: 'ORCH', name: 'Orchestra', tier: 'A', priceCents, kind: 'seated', capacity: rows * perRow },
        ...(floor > 0 ? [{ id: 'FLOOR', name: 'Floor', tier: 'GA', priceCents: 2000, kind: 'general' as const, capacity: floor }] : []),
      ],
      seats,
    },
  };
}
