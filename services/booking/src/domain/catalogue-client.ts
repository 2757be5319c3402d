/** What the booking engine needs from the event catalogue, whatever carries it (HTTP, memory). */
import type { EventView, SeatMap } from '@stream-seat/contracts';

export type CatalogueEvent = Pick<
  EventView,
  'id' | 'organizerId' | 'status' | 'currency' | 'salesStartAt' | 'salesEndAt' | 'maxSeatsPerOrder'
>;

export interface CatalogueClient {
  /** The event, or undefined when the catalogue has no such event. */
  event(eventId: string): Promise<CatalogueEvent | undefined>;
  /** The event's seat map (immutable once published), or undefined when there is none. */
  seatMap(eventId: string): Promise<SeatMap | undefined>;
}
