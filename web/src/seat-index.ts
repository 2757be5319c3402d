/**
 * Where every place of an event belongs: the map's seats by their id, general-admission units —
 * which only the live state lists, named `<section>-…` by the inventory — by that prefix. The
 * units are indexed once, from the first snapshot (an event's places never change).
 */
import type { SeatMap } from '@stream-seat/contracts';
import type { SeatBoard } from './seat-board.js';

export interface SeatIndex {
  /** The tier of a seat or general-admission unit. */
  tierOf(placeId: string): string | undefined;
  /** The general-admission units of a section. */
  unitsOf(sectionId: string): string[];
  /** A seat as people name it, "Orchestra, row A, seat 3" (its id when the map has no such seat). */
  nameOf(seatId: string): string;
}

export function createSeatIndex(map: SeatMap, board: SeatBoard): SeatIndex {
  const seatTiers = new Map(map.seats.map((s) => [s.id, s.tier]));
  const seatsById = new Map(map.seats.map((s) => [s.id, s]));
  const sectionNames = new Map(map.sections.map((s) => [s.id, s.name]));
  const general = map.sections.filter((s) => s.kind === 'general');
  let units: { bySection: Map<string, string[]>; tiers: Map<string, string> } | undefined;

  function generalUnits() {
    if (units) return units;
    const found = { bySection: new Map(general.map((s) => [s.id, [] as string[]])), tiers: new Map<string, string>() };
    for (const id of board.seatIds()) {
      if (seatTiers.has(id)) continue;
      const section = general.find((s) => id.startsWith(`${s.id}-`));
      if (!section) continue;
      found.bySection.get(section.id)?.push(id);
      found.tiers.set(id, section.tier);
    }
    // Before the first snapshot the board is empty: index it then, not now.
    if (board.seq !== undefined) units = found;
    return found;
  }

  return {
    tierOf: (placeId) => seatTiers.get(placeId) ?? generalUnits().tiers.get(placeId),
    unitsOf: (sectionId) => generalUnits().bySection.get(sectionId) ?? [],
    nameOf(seatId) {
      const seat = seatsById.get(seatId);
      return seat ? `${sectionNames.get(seat.section) ?? seat.section}, row ${seat.row}, seat ${seat.number}` : seatId;
    },
  };
}
