/**
 * Draws an event's seat map as SVG: one circle per seat, coloured by tier while available, and
 * general-admission areas with the places left. Live updates touch only the seats that changed.
 * The seats are toggle buttons with one Tab stop between them (a roving tabindex): the arrows,
 * Home and End move the focus (seat-keyboard.ts), Enter and Space select. The map zooms and pans
 * (map-pan-zoom.ts), and follows the keyboard focus to a seat out of view.
 */
import type { SeatMap, SeatStatusValue } from '@stream-seat/contracts';
import { h, svg } from './dom.js';
import { money } from './format.js';
import { attachPanZoom } from './map-pan-zoom.js';
import { viewLimits } from './map-viewport.js';
import type { SeatBoard } from './seat-board.js';
import type { SeatIndex } from './seat-index.js';
import { createSeatNavigator, seatKeyAction } from './seat-keyboard.js';

export interface SeatMapView {
  /** The map, with its zoom buttons under it. */
  element: HTMLElement;
  /** Redraws these seats (and the general-admission counts) from the board. */
  update(seatIds: Iterable<string>): void;
  setSelected(seatIds: ReadonlySet<string>): void;
  setMine(seatIds: ReadonlySet<string>): void;
}

export interface SeatMapViewOptions {
  map: SeatMap;
  board: SeatBoard;
  places: SeatIndex;
  tierIndex: (tier: string) => number;
  onSeatClick(seatId: string): void;
}

export function createSeatMapView(options: SeatMapViewOptions): SeatMapView {
  const { map, board, places } = options;
  const spacing = seatSpacing(map);
  const radius = spacing * 0.42;
  const box = viewBox(map, radius);
  const circles = new Map<string, SVGCircleElement>();
  const gaLabels = new Map<string, SVGTextElement>();
  let selected: ReadonlySet<string> = new Set();
  let mine: ReadonlySet<string> = new Set();

  const element = svg('svg', {
    class: 'seat-map',
    role: 'group',
    'aria-label': 'Seat map',
    'aria-describedby': 'seat-map-keys',
  });
  element.append(
    // Behind everything: where a zoomed map shows it can be dragged (map-pan-zoom.ts).
    svg('rect', { class: 'pan-surface', x: box.x, y: box.y, width: box.width, height: box.height }),
    svg('desc', { id: 'seat-map-keys' }, 'Arrow keys move between seats, Home and End go to the ends of a row, Enter or Space selects a seat. Plus and minus zoom, 0 shows the whole venue.'),
    svg('g', { class: 'stage' },
      svg('rect', { x: map.stage.x - 60, y: map.stage.y - 12, width: 120, height: 24, rx: 4 }),
      svg('text', { x: map.stage.x, y: map.stage.y + 5, 'text-anchor': 'middle' }, 'STAGE'),
    ),
  );
  for (const section of map.sections) {
    if (section.kind !== 'general' || !section.area) continue;
    const { x, y, width, height } = section.area;
    const label = svg('text', { x: x + width / 2, y: y + height / 2 + 18, 'text-anchor': 'middle', class: 'ga-count' });
    gaLabels.set(section.id, label);
    element.append(
      svg('g', { class: 'general-admission', 'data-section-id': section.id },
        svg('rect', { x, y, width, height, rx: 6, class: `tier-${options.tierIndex(section.tier)}` }),
        svg('text', { x: x + width / 2, y: y + height / 2 - 4, 'text-anchor': 'middle' }, section.name),
        label,
      ),
    );
  }
  // The title is the seat's accessible name and its tooltip: "Orchestra, row A, seat 3, €50.00, available".
  const sectionNames = new Map(map.sections.map((s) => [s.id, s.name]));
  const prices = new Map<number, string>();
  const seatPlaces = new Map<string, string>();
  // Every seat is a copy of one circle with the attributes they share (cheaper than setting them
  // one by one), and the seats go into the page only once the first snapshot has drawn them: drawn
  // before, 100,000 seats are laid out and painted twice.
  const seatsLayer = svg('g', { class: 'seats' });
  const template = svg('circle', { r: radius, role: 'button', tabindex: -1, 'aria-pressed': 'false' }, svg('title'));
  for (const seat of map.seats) {
    let price = prices.get(seat.priceCents);
    if (price === undefined) prices.set(seat.priceCents, (price = money(seat.priceCents, map.currency)));
    const place = `${sectionNames.get(seat.section) ?? seat.section}, row ${seat.row}, seat ${seat.number}, ${price}`;
    seatPlaces.set(seat.id, place);
    const circle = template.cloneNode(true) as SVGCircleElement;
    circle.setAttribute('cx', String(seat.x));
    circle.setAttribute('cy', String(seat.y));
    circle.setAttribute('data-seat-id', seat.id);
    circle.setAttribute('data-tier', seat.tier);
    (circle.firstChild as SVGTitleElement).textContent = place;
    circles.set(seat.id, circle);
    seatsLayer.append(circle);
  }
  let seatsShown = false;

  // One Tab stop for the whole map: the seat last moved to or clicked, the first seat until then.
  const keyboard = createSeatNavigator(map.seats);
  let tabStop = keyboard.first;
  if (tabStop) circles.get(tabStop)?.setAttribute('tabindex', '0');
  function moveTabStop(seatId: string): void {
    if (seatId === tabStop) return;
    if (tabStop) circles.get(tabStop)?.setAttribute('tabindex', '-1');
    circles.get(seatId)?.setAttribute('tabindex', '0');
    tabStop = seatId;
  }
  // No focus listeners: Chromium would make the <svg> itself a Tab stop of its own.
  const seatOf = (event: Event) => (event.target as Element).closest('[data-seat-id]')?.getAttribute('data-seat-id') ?? undefined;
  element.addEventListener('click', (event) => {
    const seatId = seatOf(event);
    if (!seatId) return;
    moveTabStop(seatId);
    options.onSeatClick(seatId);
  });
  element.addEventListener('keydown', (event) => {
    const seatId = seatOf(event);
    const action = seatId && seatKeyAction(event);
    if (!seatId || !action) return;
    // Space would scroll the page, the arrows too.
    event.preventDefault();
    if (action === 'toggle') {
      if (!event.repeat) options.onSeatClick(seatId);
      return;
    }
    const next = keyboard.move(seatId, action);
    if (!next || next === seatId) return;
    moveTabStop(next);
    // Into view first: focus() on a seat outside the viewBox would scroll the page towards it.
    reveal(next);
    circles.get(next)?.focus();
  });

  // Zoom and pan change only the viewBox; the seats' circles stay as they are.
  const seatsById = new Map(map.seats.map((s) => [s.id, s]));
  const panZoom = attachPanZoom(element, {
    limits: viewLimits(box, spacing * SEATS_ACROSS_AT_MOST),
    keyAnchor: (event) => seatsById.get(seatOf(event) ?? ''),
  });
  // The seat the keyboard focus goes to comes into view, with its neighbour beside it.
  const reveal = (seatId: string) => {
    const seat = seatsById.get(seatId);
    if (seat) panZoom.reveal(seat, spacing * 1.5);
  };
  const container = h('div', { class: 'seat-map-view' }, element, panZoom.controls);
  // Tab back into a map zoomed or panned away from its Tab stop brings that seat into view. On the
  // container: a focus listener on the <svg> would make it a Tab stop. A click's focus, which is
  // not focus-visible, leaves the view where the buyer put it.
  container.addEventListener('focusin', (event) => {
    const seatId = seatOf(event);
    if (seatId && (event.target as Element).matches(':focus-visible')) reveal(seatId);
  });

  const tierClass = new Map(map.seats.map((s) => [s.id, `tier-${options.tierIndex(s.tier)}`]));
  // Attributes change in place: the circle keeps the focus when someone else takes its seat.
  function drawSeat(seatId: string): void {
    const circle = circles.get(seatId);
    if (!circle) return;
    const status = board.status(seatId) ?? 'HELD';
    const isSelected = selected.has(seatId);
    const isMine = mine.has(seatId);
    const classes = ['seat', `status-${status.toLowerCase()}`];
    if (status === 'AVAILABLE') classes.push(tierClass.get(seatId) ?? '');
    if (isSelected) classes.push('selected');
    if (isMine) classes.push('mine');
    // Fades only from a live change: a transition on each of 100,000 seats at the snapshot costs
    // seconds of style work per frame while it runs.
    if (seatsShown) classes.push('fades');
    circle.setAttribute('class', classes.join(' '));
    circle.setAttribute('data-status', status);
    circle.setAttribute('aria-pressed', String(isSelected));
    if (status === 'AVAILABLE') circle.removeAttribute('aria-disabled');
    else circle.setAttribute('aria-disabled', 'true');
    const title = circle.firstChild as SVGTitleElement;
    const name = `${seatPlaces.get(seatId)}, ${statusWord(status, isMine)}`;
    if (title.textContent !== name) title.textContent = name;
  }
  function drawGeneralAdmission(): void {
    for (const [sectionId, label] of gaLabels) {
      const units = places.unitsOf(sectionId);
      label.textContent = `${board.countAvailable(units)} of ${units.length} left`;
    }
  }

  return {
    element: container,
    update(seatIds) {
      let touchedGeneral = false;
      for (const id of seatIds) {
        if (circles.has(id)) drawSeat(id);
        else touchedGeneral = true;
      }
      if (touchedGeneral && gaLabels.size > 0) drawGeneralAdmission();
      if (!seatsShown) {
        seatsShown = true;
        element.append(seatsLayer);
      }
    },
    // Copies: the caller goes on changing its own set, and the seats that left it need redrawing.
    setSelected(seatIds) {
      const previous = selected;
      selected = new Set(seatIds);
      for (const id of new Set([...previous, ...selected])) drawSeat(id);
    },
    setMine(seatIds) {
      const previous = mine;
      mine = new Set(seatIds);
      for (const id of new Set([...previous, ...mine])) drawSeat(id);
    },
  };
}

function statusWord(status: SeatStatusValue, mine: boolean): string {
  if (status === 'AVAILABLE') return 'available';
  if (status === 'HELD') return mine ? 'held for you' : 'taken';
  return mine ? 'yours' : 'sold';
}

/** How far in the map can be zoomed: this many seats across the view's shorter side. */
const SEATS_ACROSS_AT_MOST = 6;

/** The distance between neighbouring seats of a row; circles are drawn just under half as wide, so that they never touch. */
function seatSpacing(map: SeatMap): number {
  let nearest = Infinity;
  for (let i = 1; i < map.seats.length && i < 2_000; i++) {
    const a = map.seats[i - 1];
    const b = map.seats[i];
    if (!a || !b || a.section !== b.section || a.row !== b.row) continue;
    nearest = Math.min(nearest, Math.hypot(a.x - b.x, a.y - b.y));
  }
  return Number.isFinite(nearest) && nearest > 0 ? nearest : 10;
}

function viewBox(map: SeatMap, radius: number): { x: number; y: number; width: number; height: number } {
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
  return { x: box.minX - margin, y: box.minY - margin, width: box.maxX - box.minX + 2 * margin, height: box.maxY - box.minY + 2 * margin };
}
