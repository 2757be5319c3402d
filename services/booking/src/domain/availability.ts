/** An event's availability as buyers see it: every seat's state, counts, and the seq it reflects. */
import type { Availability } from '@stream-seat/contracts';
import { NotFound } from '@stream-seat/platform';
import type { InventoryRepository } from '../db/inventory.repository.js';
import type { SeatStatus } from '../db/schema.js';
import { SEAT_STATUSES } from './seat-layout.js';

/** The availability of an event whose inventory exists: every seat's state and the counts. */
export async function loadAvailability(inventories: InventoryRepository, eventId: string, now: number): Promise<Availability> {
  const snapshot = await inventories.snapshot(eventId, now);
  if (!snapshot) throw new NotFound(`Availability of event ${eventId}`);
  // Keyed by names from the venue's layout: objects without a prototype, so that no name (a
  // section `__proto__` stored before the catalogue refused it) can reach Object.prototype.
  const { layout, status } = snapshot;
  const counts: Availability['counts'] = { AVAILABLE: 0, HELD: 0, BOOKED: 0, bySection: keyedByName(), byTier: keyedByName() };
  const seats: Availability['seats'] = keyedByName();
  // Counted per section and tier number (the layout's), named once at the end, in the order
  // sections and tiers first appear among the seats.
  const sections = tally(layout.sections.length);
  const tiers = tally(layout.tiers.length);
  for (let i = 0; i < layout.size; i++) {
    const state = SEAT_STATUSES[status[i] as number] as SeatStatus;
    seats[layout.seatIds[i] as string] = state;
    counts[state] += 1;
    const free = state === 'AVAILABLE' ? 1 : 0;
    sections.add(layout.sectionOf[i] as number, free);
    tiers.add(layout.tierOf[i] as number, free);
  }
  layout.sections.forEach((name, k) => (counts.bySection[name] = sections.counts(k)));
  layout.tiers.forEach((name, k) => (counts.byTier[name] = tiers.counts(k)));
  return { eventId, seq: snapshot.seq, cancelled: snapshot.cancelled, seats, counts };
}

function keyedByName<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** Available and total seats per section (or tier) number. */
function tally(size: number) {
  const available = new Float64Array(size);
  const total = new Float64Array(size);
  return {
    add(k: number, free: number): void {
      available[k] = (available[k] as number) + free;
      total[k] = (total[k] as number) + 1;
    },
    counts: (k: number) => ({ available: available[k] as number, total: total[k] as number }),
  };
}
