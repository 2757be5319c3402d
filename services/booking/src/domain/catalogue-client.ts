/** What the booking engine needs from the event catalogue, whatever carries it (HTTP, memory). */
import type { EventView, SeatMap } from '@stream-seat/contracts';
import type { CallContext } from '@stream-seat/platform';

export type CatalogueEvent = Pick<
  EventView,
  'id' | 'organizerId' | 'status' | 'currency' | 'startsAt' | 'salesStartAt' | 'salesEndAt' | 'maxSeatsPerOrder'
>;

/** `caller`: the request asking, whose trace a call to the catalogue carries (none for background work). */
export interface CatalogueClient {
  /**
   * The event, or undefined when the catalogue has no such event. `fresh`: a "no such event" the
   * client cached is asked again (a hold: the event may have gone on sale since, its message still
   * on its way); reads may take it from the cache.
   */
  event(eventId: string, caller?: CallContext, options?: { fresh?: boolean }): Promise<CatalogueEvent | undefined>;
  /** The event's seat map (immutable once published), or undefined when there is none. */
  seatMap(eventId: string, caller?: CallContext): Promise<SeatMap | undefined>;
  /**
   * The event changed (a catalogue message said so, or an inventory shows it on sale): whatever
   * this client cached of it — "no such event" included — is not to be served again.
   */
  forget?(eventId: string): void;
}
