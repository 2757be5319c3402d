/**
 * The parts of a seat map that never change while it is shown: the size of its seats, the area
 * it covers, and its backdrop — the stage, the keys' description and the general-admission areas.
 */
import type { SeatMap } from '@stream-seat/contracts';
import { svg } from './dom.js';
import type { ViewBox } from './map-viewport.js';

/** How far in the map can be zoomed: this many seats across the view's shorter side. */
export const SEATS_ACROSS_AT_MOST = 4;

/** The distance between neighbouring seats of a row; circles are drawn just under half as wide, so that they never touch. */
export function seatSpacing(map: SeatMap): number {
  let nearest = Infinity;
  for (let i = 1; i < map.seats.length && i < 2_000; i++) {
    const a = map.seats[i - 1];
    const b = map.seats[i];
    if (!a || !b || a.section !== b.section || a.row !== b.row) continue;
    nearest = Math.min(nearest, Math.hypot(a.x - b.x, a.y - b.y));
  }
  return Number.isFinite(nearest) && nearest > 0 ? nearest : 10;
}

/**
 * The widest the map's whole may be, width to height. A wider venue (sections side by side) gets
 * room above and below it: the map is drawn in the whole's proportions, so six sections of 20
 * seats had made a strip 54 px high on a phone, whose seats no zoom brought past 8 px (zoom stops
 * at SEATS_ACROSS_AT_MOST seats across the shorter side).
 */
export const WIDEST_MAP = 2;

/**
 * The whole venue with a margin round it: the stage, every seat (circles of `radius`) and every
 * area — centred in room above and below it when it is wider than WIDEST_MAP.
 */
export function mapBox(map: SeatMap, radius: number): ViewBox {
  const box = { minX: map.stage.x - 60, maxX: map.stage.x + 60, minY: map.stage.y - 12, maxY: map.stage.y + 12 };
  const include = (x: number, y: number) => {
    box.minX = Math.min(box.minX, x);
    box.maxX = Math.max(box.maxX, x);
    box.minY = Math.min(box.minY, y);
    box.maxY = Math.max(box.maxY, y);
  };
  for (const seat of map.seats) include(seat.x, seat.y);
  for (const { area } of map.sections) {
    if (area) {
      include(area.x, area.y);
      include(area.x + area.width, area.y + area.height);
    }
  }
  const margin = radius * 3 + 10;
  const width = box.maxX - box.minX + 2 * margin;
  const drawn = box.maxY - box.minY + 2 * margin;
  const height = Math.max(drawn, width / WIDEST_MAP);
  return { x: box.minX - margin, y: box.minY - margin - (height - drawn) / 2, width, height };
}

export interface BackdropOptions {
  map: SeatMap;
  box: ViewBox;
  /** The map is painted on a canvas (only some seats are elements). */
  painted: boolean;
  tierIndex: (tier: string) => number;
}

/**
 * Draws the backdrop into `element`: what a zoomed map can be dragged by, the keys' description,
 * the stage and the general-admission areas. Returns each area's "N of M left" label by section.
 */
export function drawBackdrop(element: SVGSVGElement, { map, box, painted, tierIndex }: BackdropOptions): Map<string, SVGTextElement> {
  element.append(
    // Behind everything: where a zoomed map shows it can be dragged (map-pan-zoom.ts).
    svg('rect', { class: 'pan-surface', x: box.x, y: box.y, width: box.width, height: box.height }),
    svg('desc', { id: 'seat-map-keys' },
      'Arrow keys move between seats, Home and End go to the ends of a row, Enter or Space selects a seat. Plus and minus zoom, 0 shows the whole venue.',
      // A painted map lists only some seats (seat-map-view's header): browsing finds few of them.
      painted ? ` A large venue: zoom in to list the seats in view; with a screen reader, use focus mode to move between all ${map.seats.length} seats with the arrow keys.` : undefined,
    ),
    svg('g', { class: 'stage' },
      svg('rect', { x: map.stage.x - 60, y: map.stage.y - 12, width: 120, height: 24, rx: 4 }),
      svg('text', { x: map.stage.x, y: map.stage.y + 5, 'text-anchor': 'middle' }, 'STAGE'),
    ),
  );
  const labels = new Map<string, SVGTextElement>();
  for (const section of map.sections) {
    if (section.kind !== 'general' || !section.area) continue;
    const { x, y, width, height } = section.area;
    const size = areaFontSize(section.area, [section.name, `${section.capacity} of ${section.capacity} left`]);
    // An attribute: the gateway's Content-Security-Policy refuses inline style.
    const style = { 'font-size': size };
    const label = svg('text', { x: x + width / 2, y: y + height / 2 + size * 1.3, 'text-anchor': 'middle', class: 'ga-count', ...style });
    labels.set(section.id, label);
    element.append(
      // A Tab stop of its own, a button (Enter or Space): the keyboard reached a standing area only
      // through the best-available form's section list.
      svg('g', { class: 'general-admission', 'data-section-id': section.id, tabindex: 0, role: 'button' },
        svg('title', {}, `${section.name} — choose how many places`),
        svg('rect', { x, y, width, height, rx: 6, class: `tier-${tierIndex(section.tier)}` }),
        svg('text', { x: x + width / 2, y: y + height / 2 - size * 0.3, 'text-anchor': 'middle', ...style }, section.name),
        label,
      ),
    );
  }
  return labels;
}

/** Widest a character of the map's font is, in ems (digits and most letters are narrower). */
const CHARACTER_WIDTH = 0.62;

/**
 * The font size (map units) at which an area's two lines, its name and "N of N left", fit inside
 * it: 14 where there is room, smaller in a small area (they had spilled over its edges).
 */
export function areaFontSize(area: ViewBox, lines: string[]): number {
  const longest = Math.max(1, ...lines.map((line) => line.length));
  const size = Math.min(14, (area.width * 0.9) / (longest * CHARACTER_WIDTH), (area.height * 0.8) / 2.6);
  return Math.max(0.5, Math.round(size * 10) / 10);
}
