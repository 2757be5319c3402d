/** An event's availability as buyers see it: every seat's state, counts, and the seq it reflects. */
import type { Availability } from '@stream-seat/contracts';
import { NotFound } from '@stream-seat/platform';
import type { InventoryRepository } from '../db/inventory.repository.js';

/** The availability of an event whose inventory exists: every seat's state and the counts. */
export async function loadAvailability(inventories: InventoryRepository, eventId: string, now: number): Promise<Availability> {
  const snapshot = await inventories.snapshot(eventId, now);
  if (!snapshot) throw new NotFound(`Availability of event ${eventId}`);
  // Keyed by names from the venue's layout: objects without a prototype, so that no name (a
  // section `__proto__` stored before the catalogue refused it) can reach Object.prototype.
  const counts: Availability['counts'] = { AVAILABLE: 0, HELD: 0, BOOKED: 0, bySection: keyedByName(), byTier: keyedByName() };
  const seats: Availability['seats'] = keyedByName();
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

function keyedByName<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
