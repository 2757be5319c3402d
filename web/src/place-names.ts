/**
 * Names a place of an event as people say it: a seat "Orchestra, row A, seat 3", a unit of a
 * general-admission section (`FLOOR-GA-17`, named by the inventory after its section) "Floor,
 * standing" (a section called "Standing" just so). An id the map does not know is shown as it is.
 */
import type { SeatMap } from '@stream-seat/contracts';

export type PlaceNamer = (placeId: string) => string;

export function placeNamer(map: Pick<SeatMap, 'sections' | 'seats'>): PlaceNamer {
  const seats = new Map(map.seats.map((s) => [s.id, s]));
  const sectionNames = new Map(map.sections.map((s) => [s.id, s.name]));
  // The longest prefix first: `FLOOR-B` before `FLOOR` for `FLOOR-B-GA-3`.
  const general = map.sections.filter((s) => s.kind === 'general').sort((a, b) => b.id.length - a.id.length);
  return (placeId) => {
    const seat = seats.get(placeId);
    if (seat) return `${sectionNames.get(seat.section) ?? seat.section}, row ${seat.row}, seat ${seat.number}`;
    const standing = general.find((s) => placeId.startsWith(`${s.id}-`));
    if (!standing) return placeId;
    return /\bstanding\b/i.test(standing.name) ? standing.name : `${standing.name}, standing`;
  };
}

/**
 * The place names of events, each from its seat map read once (`readMap`, e.g. the API, which the
 * browser revalidates by its ETag). A map that could not be had names places by their ids that
 * time, and is asked for again at the next call.
 */
export function placeNamesOfEvents(readMap: (eventId: string) => Promise<SeatMap>): (eventId: string) => Promise<PlaceNamer> {
  const namers = new Map<string, Promise<PlaceNamer>>();
  return (eventId) => {
    let namer = namers.get(eventId);
    if (!namer) {
      namer = readMap(eventId).then(placeNamer, () => {
        namers.delete(eventId);
        return (placeId: string) => placeId;
      });
      namers.set(eventId, namer);
    }
    return namer;
  };
}
