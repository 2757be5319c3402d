/**
 * Where every place of an event belongs: the map's seats by their id, general-admission units —
 * which only the live state lists, named `<section>-…` by the inventory — by that prefix. The
 * units are indexed once, from the first snapshot (an event's places never change).
 */
import type { SeatMap } from '@stream-seat/contracts';
import { placeNamer } from './place-names.js';
import type { SeatBoard } from './seat-board.js';

export interface SeatIndex {
  /** The tier of a seat or general-admission unit. */
  tierOf(placeId: string): string | undefined;
  /** The general-admission units of a section. */
  unitsOf(sectionId: string): string[];
  /** A place as people name it, "Orchestra, row A, seat 3" or "Floor, standing" (its id when the map has no such place). */
  nameOf(placeId: string): string;
}

export function createSeatIndex(map: SeatMap, board: SeatBoard): SeatIndex {
  const seatTiers = new Map(map.seats.map((s) => [s.id, s.tier]));
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
    nameOf: placeNamer(map),
  };
}
