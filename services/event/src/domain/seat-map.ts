/**
 * Turns a venue layout into a drawable seat map: stable seat ids (`ORCH-A-12`) and x/y
 * coordinates for every seat, straight or curved rows, sections side by side or where placed.
 * Units are abstract (a seat is 10 wide, a row 12 deep); the whole map is translated so that
 * every coordinate lies inside `bounds`.
 */
import type { LayoutSection, VenueLayout, VenueSeat, VenueSeatMap, VenueSection } from '@stream-seat/contracts';

export const SEAT_PITCH = 10;
export const ROW_PITCH = 12;
const SECTION_GAP = 40;
const STAGE_GAP = 60;
const MARGIN = 20;
/** Floor area per standing place, so that a default general-admission area looks its size. */
const STANDING_AREA = 25;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface PlacedSection {
  section: LayoutSection;
  area: Box;
  seats: VenueSeat[];
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Seat centres of a seated section in its own frame: row 0 at y = 0, centred on x = 0. */
function localSeats(section: LayoutSection): VenueSeat[] {
  const seats: VenueSeat[] = [];
  (section.rows ?? []).forEach((row, r) => {
    const half = (row.seats - 1) / 2;
    for (let j = 0; j < row.seats; j++) {
      const u = half > 0 ? (j - half) / half : 0;
      seats.push({
        id: `${section.id}-${row.label}-${j + 1}`,
        section: section.id,
        row: row.label,
        number: j + 1,
        x: (j - half + (row.offset ?? 0)) * SEAT_PITCH,
        // A curved row's ends come forward, towards the stage, like a theatre's.
        y: r * ROW_PITCH - (row.curve ?? 0) * ROW_PITCH * u * u,
        tier: section.tier,
      });
    }
  });
  return seats;
}

function boxOf(points: Array<{ x: number; y: number }>, pad: number): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  return { x: minX - pad, y: minY - pad, width: maxX - minX + 2 * pad, height: maxY - minY + 2 * pad };
}

function generalAdmissionSize(section: LayoutSection): { width: number; height: number } {
  if (section.size) return section.size;
  const width = Math.max(4 * SEAT_PITCH, Math.sqrt((section.capacity ?? 0) * STANDING_AREA * 2));
  return { width, height: width / 2 };
}

/** Lays one section out in its own frame, turned by its rotation; returns its seats and outline. */
function shapeSection(section: LayoutSection): { seats: VenueSeat[]; outline: Array<{ x: number; y: number }> } {
  let seats: VenueSeat[];
  let outline: Array<{ x: number; y: number }>;
  if (section.rows) {
    seats = localSeats(section);
    const b = boxOf(seats, SEAT_PITCH / 2);
    outline = corners(b);
  } else {
    seats = [];
    const { width, height } = generalAdmissionSize(section);
    outline = corners({ x: 0, y: 0, width, height });
  }
  const angle = ((section.rotation ?? 0) * Math.PI) / 180;
  if (angle !== 0) {
    const centre = boxOf(outline, 0);
    const cx = centre.x + centre.width / 2;
    const cy = centre.y + centre.height / 2;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const turn = <P extends { x: number; y: number }>(p: P): P => ({
      ...p,
      x: cx + (p.x - cx) * cos - (p.y - cy) * sin,
      y: cy + (p.x - cx) * sin + (p.y - cy) * cos,
    });
    seats = seats.map(turn);
    outline = outline.map(turn);
  }
  return { seats, outline };
}

function corners(b: Box): Array<{ x: number; y: number }> {
  return [
    { x: b.x, y: b.y },
    { x: b.x + b.width, y: b.y },
    { x: b.x, y: b.y + b.height },
    { x: b.x + b.width, y: b.y + b.height },
  ];
}

export function buildSeatMap(layout: VenueLayout): VenueSeatMap {
  let cursorX = 0;
  const placed: PlacedSection[] = layout.sections.map((section) => {
    const { seats, outline } = shapeSection(section);
    const box = boxOf(outline, 0);
    // Move the section so its outline's top-left corner is at its position (or the next free slot).
    const target = section.position ?? { x: cursorX, y: 0 };
    if (!section.position) cursorX += box.width + SECTION_GAP;
    const dx = target.x - box.x;
    const dy = target.y - box.y;
    return {
      section,
      area: { x: target.x, y: target.y, width: box.width, height: box.height },
      seats: seats.map((s) => ({ ...s, x: s.x + dx, y: s.y + dy })),
    };
  });

  const all = boxOf(
    placed.flatMap((p) => corners(p.area)),
    0,
  );
  const stage = layout.stage ?? { x: all.x + all.width / 2, y: all.y - STAGE_GAP };
  const extent = boxOf([...corners(all), stage], 0);
  const shiftX = MARGIN - extent.x;
  const shiftY = MARGIN - extent.y;

  const sections: VenueSection[] = placed.map(({ section, area, seats }) => ({
    id: section.id,
    name: section.name,
    tier: section.tier,
    kind: section.rows ? 'seated' : 'general',
    capacity: section.rows ? seats.length : (section.capacity ?? 0),
    area: {
      x: round(area.x + shiftX),
      y: round(area.y + shiftY),
      width: round(area.width),
      height: round(area.height),
    },
  }));
  const seats: VenueSeat[] = [];
  for (const p of placed) {
    for (const s of p.seats) seats.push({ ...s, x: round(s.x + shiftX), y: round(s.y + shiftY) });
  }
  return {
    bounds: { width: round(extent.width + 2 * MARGIN), height: round(extent.height + 2 * MARGIN) },
    stage: { x: round(stage.x + shiftX), y: round(stage.y + shiftY) },
    sections,
    seats,
  };
}
