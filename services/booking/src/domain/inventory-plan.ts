/**
 * Turns a catalogue seat map into the inventory rows of one event. A general-admission section
 * becomes `capacity` anonymous units (`FLOOR-GA-1` …): the same conditional claim that guards a
 * numbered seat then guards every unit of capacity, so GA can never be oversold either, and an
 * expired GA hold frees its units exactly like seats.
 */
import type { SeatMap } from '@stream-seat/contracts';
import type { SeatPlace } from './best-available.js';

export interface PlannedSeat extends SeatPlace {
  priceCents: number;
}

export const GA_ROW = 'GA';

export function gaUnitId(sectionId: string, n: number): string {
  return `${sectionId}-${GA_ROW}-${n}`;
}

export function planInventory(map: SeatMap): PlannedSeat[] {
  const planned: PlannedSeat[] = map.seats.map((s) => ({
    seatId: s.id,
    section: s.section,
    row: s.row,
    number: s.number,
    kind: 'seated',
    tier: s.tier,
    priceCents: s.priceCents,
    x: s.x,
    y: s.y,
  }));
  for (const section of map.sections.filter((s) => s.kind === 'general')) {
    for (let n = 1; n <= section.capacity; n++) {
      planned.push({
        seatId: gaUnitId(section.id, n),
        section: section.id,
        row: GA_ROW,
        number: n,
        kind: 'general',
        tier: section.tier,
        priceCents: section.priceCents,
        x: map.stage.x,
        y: map.stage.y,
      });
    }
  }
  const ids = new Set<string>();
  for (const seat of planned) {
    if (ids.has(seat.seatId)) throw new Error(`seat map of event ${map.eventId} has the seat id ${seat.seatId} twice`);
    ids.add(seat.seatId);
  }
  return planned;
}
