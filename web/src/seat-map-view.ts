/**
 * Draws an event's seat map as SVG: one circle per seat, coloured by tier while available, and
 * general-admission areas with the places left. Live updates touch only the seats that changed.
 * The seats are toggle buttons with one Tab stop between them (a roving tabindex): the arrows,
 * Home and End move the focus (seat-keyboard.ts), Enter and Space select. The map zooms and pans
 * (map-pan-zoom.ts), and follows the keyboard focus to a seat out of view.
 *
 * A map of more than SEAT_ELEMENTS_AT_MOST seats is painted on a canvas under the SVG
 * (seat-canvas.ts), and only some of its seats are circles (buttons) as well: those in view once
 * the buyer has zoomed in to at most that many, the keyboard's seat, and the seats selected or
 * held. A click between those finds its seat on the canvas through a grid (seat-grid.ts).
 */
import type { Seat, SeatMap } from '@stream-seat/contracts';
import { h, svg } from './dom.js';
import { money } from './format.js';
import { attachPanZoom } from './map-pan-zoom.js';
import { screenToMap, viewLimits } from './map-viewport.js';
import type { SeatBoard } from './seat-board.js';
import { createSeatCanvas, type SeatCanvas } from './seat-canvas.js';
import { createSeatGrid } from './seat-grid.js';
import { createSeatLooks, statusWord } from './seat-looks.js';
import { drawBackdrop, mapBox, SEATS_ACROSS_AT_MOST, seatSpacing } from './seat-map-layout.js';
import type { SeatIndex } from './seat-index.js';
import { createSeatNavigator, seatKeyAction } from './seat-keyboard.js';

/**
 * Up to this many seats every seat is an SVG circle; a larger map is painted on a canvas. 100,000
 * circles cost the browser seconds to build, style and paint (`npm run bench -- web-map`).
 */
export const SEAT_ELEMENTS_AT_MOST = 3_000;

export interface SeatMapView {
  /** The map, with its zoom buttons under it. */
  element: HTMLElement;
  /** Redraws these seats (and the general-admission counts) from the board. */
  update(seatIds: Iterable<string>): void;
  setSelected(seatIds: ReadonlySet<string>): void;
  setMine(seatIds: ReadonlySet<string>): void;
  /** Lets go of the page (a large map's canvas follows the window's size and density). */
  dispose(): void;
}

export interface SeatMapViewOptions {
  map: SeatMap;
  board: SeatBoard;
  places: SeatIndex;
  tierIndex: (tier: string) => number;
  onSeatClick(seatId: string): void;
  /** A click on a general-admission area (which has no seats of its own to click). */
  onAreaClick?(sectionId: string): void;
}

export function createSeatMapView(options: SeatMapViewOptions): SeatMapView {
  const { map, board, places } = options;
  const spacing = seatSpacing(map);
  const radius = spacing * 0.42;
  const box = mapBox(map, radius);
  const circles = new Map<string, SVGCircleElement>();
  const painted = map.seats.length > SEAT_ELEMENTS_AT_MOST;
  let selected: ReadonlySet<string> = new Set();
  let mine: ReadonlySet<string> = new Set();

  const element = svg('svg', {
    class: 'seat-map',
    role: 'group',
    'aria-label': 'Seat map',
    'aria-describedby': 'seat-map-keys',
  });
  const gaLabels = drawBackdrop(element, { map, box, painted, tierIndex: options.tierIndex });
  // The title is the seat's accessible name and its tooltip: "Orchestra, row A, seat 3, €50.00, available".
  const prices = new Map<number, string>();
  const seatsById = new Map(map.seats.map((s) => [s.id, s]));
  /** Each seat's tier as the legend numbers it: its class (`tier-N`), and on a canvas its colour. */
  const tierNumbers = new Map(map.seats.map((s) => [s.id, options.tierIndex(s.tier)]));
  const looks = createSeatLooks({ board, tierNumbers, selected: () => selected, mine: () => mine, probeIn: element });
  function placeOf(seat: Seat): string {
    let price = prices.get(seat.priceCents);
    if (price === undefined) prices.set(seat.priceCents, (price = money(seat.priceCents, map.currency)));
    return `${places.nameOf(seat.id)}, ${price}`;
  }
  // Every seat is a copy of one circle with the attributes they share (cheaper than setting them
  // one by one), and the seats go into the page only once the first snapshot has drawn them: drawn
  // before, 100,000 seats are laid out and painted twice.
  const seatsLayer = svg('g', { class: 'seats' });
  const template = svg('circle', { r: radius, role: 'button', tabindex: -1, 'aria-pressed': 'false' }, svg('title'));
  /** The seat's circle, made (and drawn) the first time it is asked for. */
  function circleFor(seatId: string): SVGCircleElement | undefined {
    const existing = circles.get(seatId);
    if (existing) return existing;
    const seat = seatsById.get(seatId);
    if (!seat) return undefined;
    const circle = template.cloneNode(true) as SVGCircleElement;
    circle.setAttribute('cx', String(seat.x));
    circle.setAttribute('cy', String(seat.y));
    circle.setAttribute('data-seat-id', seat.id);
    circle.setAttribute('data-tier', seat.tier);
    circles.set(seat.id, circle);
    seatsLayer.append(circle);
    if (board.seq !== undefined) drawSeat(seat.id);
    return circle;
  }
  if (!painted) for (const seat of map.seats) circleFor(seat.id);
  let seatsShown = false;

  // One Tab stop for the whole map: the seat last moved to or clicked, the first seat until then.
  const keyboard = createSeatNavigator(map.seats);
  let tabStop = keyboard.first;
  if (tabStop) circleFor(tabStop)?.setAttribute('tabindex', '0');
  function moveTabStop(seatId: string): void {
    if (seatId === tabStop) return;
    if (tabStop) circles.get(tabStop)?.setAttribute('tabindex', '-1');
    circleFor(seatId)?.setAttribute('tabindex', '0');
    tabStop = seatId;
    // A large map lets the circle of the seat left go (unless it is kept for another reason).
    if (painted) keepCirclesSoon();
  }
  // No focus listeners: Chromium would make the <svg> itself a Tab stop of its own.
  const seatOf = (event: Event) => (event.target as Element).closest('[data-seat-id]')?.getAttribute('data-seat-id') ?? undefined;
  element.addEventListener('click', (event) => {
    const seatId = seatOf(event) ?? (painted ? seatUnder(event) : undefined);
    if (!seatId) {
      const area = (event.target as Element).closest('.general-admission')?.getAttribute('data-section-id');
      if (area) options.onAreaClick?.(area);
      return;
    }
    moveTabStop(seatId);
    options.onSeatClick(seatId);
  });
  element.addEventListener('keydown', (event) => {
    const area = (event.target as Element).closest('.general-admission')?.getAttribute('data-section-id');
    if (area && (event.key === 'Enter' || event.key === ' ')) {
      // Space would scroll the page.
      event.preventDefault();
      if (!event.repeat) options.onAreaClick?.(area);
      return;
    }
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

  // Zoom and pan change only the viewBox; the seats' circles stay as they are, and a canvas
  // under them paints the view again.
  const panZoom = attachPanZoom(element, {
    limits: viewLimits(box, spacing * SEATS_ACROSS_AT_MOST),
    keyAnchor: (event) => seatsById.get(seatOf(event) ?? ''),
    onChange: painted ? () => viewChanged() : undefined,
  });
  // The seat the keyboard focus goes to comes into view, with its neighbour beside it.
  const reveal = (seatId: string) => {
    const seat = seatsById.get(seatId);
    if (seat) panZoom.reveal(seat, spacing * 1.5);
  };

  // ---- a large map: the seats painted on a canvas, some of them circles as well ----------------
  const grid = painted ? createSeatGrid(map.seats, spacing * 4) : undefined;
  const canvas: SeatCanvas | undefined = grid
    ? createSeatCanvas({
      over: element,
      seats: map.seats,
      radius,
      view: () => panZoom.view,
      colourOf: (index) => looks.colour((map.seats[index] as Seat).id),
      seatsNear: (area) => grid.seatsIn(area, radius, Infinity) ?? [],
    })
    : undefined;
  const seatIndexes = painted ? new Map(map.seats.map((s, index) => [s.id, index])) : new Map<string, number>();
  /** Repaints these seats on the canvas; nothing is painted before the snapshot has coloured the seats. */
  function repaint(seatIds: Iterable<string>): void {
    if (!canvas || !seatsShown) return;
    const indexes: number[] = [];
    for (const id of seatIds) {
      const index = seatIndexes.get(id);
      if (index !== undefined) indexes.push(index);
    }
    if (indexes.length > 0) canvas.scheduleSeats(indexes);
  }
  /** The seat whose circle would be under a click that met no circle. */
  function seatUnder(event: MouseEvent): string | undefined {
    const point = screenToMap(panZoom.view, element.getBoundingClientRect(), { x: event.clientX, y: event.clientY });
    const index = grid?.seatAt(point, radius);
    return index === undefined ? undefined : map.seats[index]?.id;
  }
  /**
   * The circles a large map keeps: the seats in view once they are few enough, the Tab stop, the
   * focused seat, and the seats selected or held, which assistive technology must find; and the
   * seat under the mouse, whose name then shows as its tooltip.
   */
  function keepCircles(): void {
    if (!grid) return;
    const inView = grid.seatsIn(panZoom.view, radius, SEAT_ELEMENTS_AT_MOST) ?? [];
    const keep = new Set(inView.map((index) => (map.seats[index] as Seat).id));
    for (const id of [tabStop, hovered, document.activeElement?.getAttribute('data-seat-id'), ...selected, ...mine]) if (id) keep.add(id);
    for (const [id, circle] of circles) {
      if (keep.has(id)) continue;
      circle.remove();
      circles.delete(id);
    }
    for (const id of keep) circleFor(id);
  }
  let circlesQueued = false;
  function keepCirclesSoon(): void {
    if (circlesQueued) return;
    circlesQueued = true;
    requestAnimationFrame(() => {
      circlesQueued = false;
      keepCircles();
    });
  }
  function viewChanged(): void {
    if (seatsShown) canvas?.schedule();
    keepCirclesSoon();
  }
  let hovered: string | undefined;
  function hover(seatId: string | undefined): void {
    if (seatId === hovered) return;
    hovered = seatId;
    if (seatId) circleFor(seatId);
    keepCirclesSoon();
  }
  if (painted) {
    // A mouse only, and not while dragging: a finger has no hover, and a drag pans.
    element.addEventListener('pointermove', (event) => {
      if (event.pointerType === 'mouse' && event.buttons === 0) hover(seatOf(event) ?? seatUnder(event));
    });
    element.addEventListener('pointerleave', () => hover(undefined));
  }
  const container = h('div', { class: painted ? 'seat-map-view painted' : 'seat-map-view' }, canvas?.element, element, panZoom.controls);
  // Tab back into a map zoomed or panned away from its Tab stop brings that seat into view. On the
  // container: a focus listener on the <svg> would make it a Tab stop. A click's focus, which is
  // not focus-visible, leaves the view where the buyer put it.
  container.addEventListener('focusin', (event) => {
    const seatId = seatOf(event);
    if (seatId && (event.target as Element).matches(':focus-visible')) reveal(seatId);
  });

  // Attributes change in place: the circle keeps the focus when someone else takes its seat.
  function drawSeat(seatId: string): void {
    const circle = circles.get(seatId);
    if (!circle) return;
    const status = board.status(seatId) ?? 'HELD';
    const isSelected = selected.has(seatId);
    const isMine = mine.has(seatId);
    // Fades only from a live change: a transition on each of 100,000 seats at the snapshot costs
    // seconds of style work per frame while it runs.
    circle.setAttribute('class', seatsShown ? `${looks.classes(seatId)} fades` : looks.classes(seatId));
    circle.setAttribute('data-status', status);
    circle.setAttribute('aria-pressed', String(isSelected));
    if (status === 'AVAILABLE') circle.removeAttribute('aria-disabled');
    else circle.setAttribute('aria-disabled', 'true');
    const title = circle.firstChild as SVGTitleElement;
    const name = `${placeOf(seatsById.get(seatId) as Seat)}, ${statusWord(status, isMine)}`;
    if (title.textContent !== name) title.textContent = name;
  }
  function drawGeneralAdmission(): void {
    for (const [sectionId, label] of gaLabels) {
      const units = places.unitsOf(sectionId);
      label.textContent = `${board.countAvailable(units)} of ${units.length} left`;
    }
  }

  /** Redraws seats whose selection or hold changed; a large map makes circles of the new ones. */
  function redraw(seatIds: Set<string>): void {
    for (const id of seatIds) {
      if (painted && (selected.has(id) || mine.has(id))) circleFor(id);
      drawSeat(id);
    }
    if (!painted) return;
    repaint(seatIds);
    keepCirclesSoon();
  }

  return {
    element: container,
    update(seatIds) {
      let touchedGeneral = false;
      let touchedSeat = false;
      for (const id of seatIds) {
        if (!seatsById.has(id)) touchedGeneral = true;
        else {
          touchedSeat = true;
          drawSeat(id);
        }
      }
      if (touchedGeneral && gaLabels.size > 0) drawGeneralAdmission();
      if (!seatsShown) {
        seatsShown = true;
        element.append(seatsLayer);
        keepCircles();
        // In the frame that shows the seats' first colours, not one frame later.
        canvas?.paint();
      } else if (touchedSeat) {
        repaint(seatIds);
      }
    },
    // Copies: the caller goes on changing its own set, and the seats that left it need redrawing.
    setSelected(seatIds) {
      const previous = selected;
      selected = new Set(seatIds);
      redraw(new Set([...previous, ...selected]));
    },
    setMine(seatIds) {
      const previous = mine;
      mine = new Set(seatIds);
      redraw(new Set([...previous, ...mine]));
    },
    dispose() {
      canvas?.dispose();
    },
  };
}
