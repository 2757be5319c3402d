/**
 * A seat map a buyer can click: no seat drawn on another, no seat inside a standing area, no two
 * standing areas on top of each other. Sections placed at the same `position`, or a row whose
 * `curve` brings its ends through the rows in front, would otherwise be stored and sold with
 * seats a buyer can neither see nor pick.
 */
import type { VenueLayout, VenueSeat, VenueSeatMap } from '@stream-seat/contracts';
import { InvalidField } from '@stream-seat/platform';
import { type Box, SEAT_PITCH } from './seat-map.js';

/** Seat centres closer than half a seat's width are drawn on top of each other. */
export const MIN_SEAT_SPACING = SEAT_PITCH / 2;

/** Throws a 400 naming the later of two colliding sections (or rows), as duplicates are named. */
export function checkDrawable(layout: VenueLayout, map: VenueSeatMap): void {
  const sectionIndex = new Map(layout.sections.map((section, s) => [section.id, s]));
  const rowField = (seat: VenueSeat): string => {
    const s = sectionIndex.get(seat.section) ?? 0;
    const r = layout.sections[s]?.rows?.findIndex((row) => row.label === seat.row) ?? 0;
    return `sections.${s}.rows.${r}`;
  };
  const overlapping = findOverlappingSeats(map.seats);
  if (overlapping) {
    const [earlier, later] = overlapping;
    throw new InvalidField(
      rowField(later),
      `seat ${later.id} would be drawn on seat ${earlier.id} (centres ${distance(earlier, later).toFixed(1)} apart, at least ${MIN_SEAT_SPACING} needed): ` +
        'move a section (position) or change the row’s curve or offset',
    );
  }

  const standing = map.sections.flatMap((section, s) => (section.kind === 'general' && section.area ? [{ s, section, area: section.area }] : []));
  for (const [k, { s, area }] of standing.entries()) {
    const under = standing.slice(0, k).find((other) => overlaps(area, other.area));
    if (under) {
      throw new InvalidField(`sections.${s}`, `its standing area lies on the standing area of sections.${under.s} (${under.section.id})`);
    }
  }
  if (standing.length === 0) return;
  for (const seat of map.seats) {
    // A seat is drawn half a seat wide each way: one centred within that of an area's edge lies on it.
    const area = standing.find((candidate) => contains(grown(candidate.area, MIN_SEAT_SPACING), seat));
    if (!area) continue;
    const seatSection = sectionIndex.get(seat.section) ?? 0;
    if (seatSection > area.s) {
      throw new InvalidField(rowField(seat), `seat ${seat.id} lies inside the standing area of sections.${area.s} (${area.section.id})`);
    }
    throw new InvalidField(`sections.${area.s}`, `its standing area covers seat ${seat.id} of sections.${seatSection}`);
  }
}

/** The first pair of seats (in map order) drawn on top of each other, found through a grid of cells. */
export function findOverlappingSeats(seats: readonly VenueSeat[]): [VenueSeat, VenueSeat] | undefined {
  const cells = new Map<number, VenueSeat[]>();
  // Coordinates are at most a few hundred thousand units: 2^22 columns of cells keep keys exact.
  const key = (cx: number, cy: number) => cx * 4_194_304 + cy;
  for (const seat of seats) {
    const cx = Math.floor(seat.x / MIN_SEAT_SPACING);
    const cy = Math.floor(seat.y / MIN_SEAT_SPACING);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const other of cells.get(key(cx + dx, cy + dy)) ?? []) {
          if (distance(other, seat) < MIN_SEAT_SPACING) return [other, seat];
        }
      }
    }
    const here = key(cx, cy);
    const list = cells.get(here);
    if (list) list.push(seat);
    else cells.set(here, [seat]);
  }
  return undefined;
}

const distance = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const grown = (box: Box, by: number): Box => ({ x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by });

const contains = (box: Box, p: { x: number; y: number }) => p.x > box.x && p.x < box.x + box.width && p.y > box.y && p.y < box.y + box.height;
