/**
 * Paints a large map's seats on a canvas under its SVG: the browser styles, lays out and paints
 * 100,000 SVG circles in seconds, a canvas fills them in milliseconds. The canvas covers the SVG's
 * box and shows the same view (the viewBox, fitted and centred as the SVG's default
 * preserveAspectRatio does), at the screen's pixel density. Seats are painted one colour at a time,
 * squares where they are under 3 pixels across (indistinguishable there, and faster to fill).
 * A live change repaints only the pixels of the seats it changed (and whatever of their neighbours
 * shares them); a new view, size or pixel density repaints everything.
 * The SVG above keeps the stage, the general-admission areas, and the seats a buyer can reach with
 * assistive technology (seat-map-view.ts).
 */
import { h } from './dom.js';
import { pixelsPerUnit, type Point, type ViewBox } from './map-viewport.js';

export interface SeatCanvas {
  readonly element: HTMLCanvasElement;
  /** Paints everything at the next frame; any number of calls before it make one paint. */
  schedule(): void;
  /** Repaints these seats (by index) at the next frame, unless everything is painted then. */
  scheduleSeats(indexes: Iterable<number>): void;
  /** Paints everything now (the first paint, in the same frame as the snapshot that coloured the seats). */
  paint(): void;
  /** Stops following the page's size and pixel density (the page is left). */
  dispose(): void;
}

export interface SeatCanvasOptions {
  /** The SVG the canvas lies under, whose box and view it follows. */
  over: SVGSVGElement;
  seats: readonly Point[];
  /** The seats' radius, in map units. */
  radius: number;
  view(): ViewBox;
  /** The CSS colour of a seat (by its index in `seats`) as it is now. */
  colourOf(index: number): string;
  /** The seats (indexes) whose circle meets this part of the map, in map units. */
  seatsNear(area: ViewBox): number[];
}

const TAU = Math.PI * 2;
/** Seats narrower than this many device pixels are painted as squares. */
const ROUND_FROM_PX = 3;
/** More changed seats than this in one frame are painted with everything (cheaper than one by one). */
const SEATS_REPAINTED_AT_MOST = 2_000;

/** Map units to device pixels: x' = scale·x + dx, y' = scale·y + dy. */
interface Placement {
  scale: number;
  dx: number;
  dy: number;
}

export function createSeatCanvas(options: SeatCanvasOptions): SeatCanvas {
  const { over, seats, radius } = options;
  const element = h('canvas', { class: 'seat-canvas', 'aria-hidden': 'true' });
  let queued = false;
  /** Asked to paint at least once: from then on a new size paints again. */
  let active = false;
  const dirty = new Set<number>();
  /** Where the last full paint put the map; undefined before it (nothing to repaint in part). */
  let placed: Placement | undefined;
  /** The pixel density of the last full paint. */
  let paintedRatio = 0;

  /** Fills the seats, one path per colour. */
  function fill(context: CanvasRenderingContext2D, indexes: Iterable<number>, round: boolean): void {
    const byColour = new Map<string, number[]>();
    for (const index of indexes) {
      const colour = options.colourOf(index);
      const same = byColour.get(colour);
      if (same) same.push(index);
      else byColour.set(colour, [index]);
    }
    for (const [colour, group] of byColour) {
      context.fillStyle = colour;
      context.beginPath();
      for (const index of group) {
        const { x, y } = seats[index] as Point;
        if (round) {
          context.moveTo(x + radius, y);
          context.arc(x, y, radius, 0, TAU);
        } else {
          context.rect(x - radius, y - radius, 2 * radius, 2 * radius);
        }
      }
      context.fill();
    }
  }

  function paint(): void {
    active = true;
    queued = false;
    dirty.clear();
    placed = undefined;
    // The SVG is the first box of the map's container, at its top left, as the canvas is (styles.css).
    const { width, height } = over.getBoundingClientRect();
    // Not on the page yet, or hidden: the resize observer paints once it has a size.
    if (width === 0 || height === 0) return;
    const ratio = window.devicePixelRatio || 1;
    paintedRatio = ratio;
    const pixelsWide = Math.round(width * ratio);
    const pixelsHigh = Math.round(height * ratio);
    if (element.width !== pixelsWide || element.height !== pixelsHigh) {
      element.width = pixelsWide;
      element.height = pixelsHigh;
    }
    element.style.width = `${width}px`;
    element.style.height = `${height}px`;
    const context = element.getContext('2d');
    if (!context) return;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, pixelsWide, pixelsHigh);

    const view = options.view();
    const scale = pixelsPerUnit(view, { left: 0, top: 0, width, height });
    const offsetX = (width - view.width * scale) / 2 - view.x * scale;
    const offsetY = (height - view.height * scale) / 2 - view.y * scale;
    placed = { scale: ratio * scale, dx: ratio * offsetX, dy: ratio * offsetY };
    context.setTransform(placed.scale, 0, 0, placed.scale, placed.dx, placed.dy);

    // What shows: the view and whatever of the letterbox the SVG's box adds around it.
    const left = -offsetX / scale - radius;
    const top = -offsetY / scale - radius;
    const right = (width - offsetX) / scale + radius;
    const bottom = (height - offsetY) / scale + radius;
    const shown: number[] = [];
    seats.forEach((seat, index) => {
      if (seat.x >= left && seat.x <= right && seat.y >= top && seat.y <= bottom) shown.push(index);
    });
    fill(context, shown, 2 * radius * placed.scale >= ROUND_FROM_PX);
  }

  /**
   * Repaints the changed seats only: for each, the whole device pixels its circle touches are
   * cleared and filled again, with every seat that reaches into them, clipped to them.
   */
  function paintDirty(): void {
    queued = false;
    const context = element.getContext('2d');
    if (!placed || !context) return paint();
    const { scale, dx, dy } = placed;
    const round = 2 * radius * scale >= ROUND_FROM_PX;
    for (const index of dirty) {
      const { x, y } = seats[index] as Point;
      const left = Math.floor(scale * (x - radius) + dx) - 1;
      const top = Math.floor(scale * (y - radius) + dy) - 1;
      const right = Math.ceil(scale * (x + radius) + dx) + 1;
      const bottom = Math.ceil(scale * (y + radius) + dy) + 1;
      if (right < 0 || bottom < 0 || left > element.width || top > element.height) continue;
      context.save();
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.clearRect(left, top, right - left, bottom - top);
      context.beginPath();
      context.rect(left, top, right - left, bottom - top);
      context.clip();
      context.setTransform(scale, 0, 0, scale, dx, dy);
      const area = { x: (left - dx) / scale, y: (top - dy) / scale, width: (right - left) / scale, height: (bottom - top) / scale };
      fill(context, options.seatsNear(area), round);
      context.restore();
    }
    dirty.clear();
  }

  function queue(): void {
    active = true;
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      // Painted meanwhile by a direct call: nothing left to do.
      if (!queued) return;
      if (placed && dirty.size > 0 && dirty.size <= SEATS_REPAINTED_AT_MOST) paintDirty();
      else paint();
    });
  }

  function schedule(): void {
    placed = undefined;
    queue();
  }

  // A new width of the page (or of the map's column) changes the SVG's box: paint to fit it, in
  // the same frame (the observer runs before the frame is drawn), so that the two never disagree.
  const resize = new ResizeObserver(() => {
    if (active) paint();
  });
  resize.observe(over);
  // A new pixel density may leave the CSS size as it was: the browser's zoom of a page whose map
  // is as wide as it gets (a resize event), a window moved to another screen (a media query).
  const densityChanged = () => {
    if (active && (window.devicePixelRatio || 1) !== paintedRatio) schedule();
  };
  let density: MediaQueryList | undefined;
  const watchDensity = () => {
    density?.removeEventListener('change', onDensity);
    density = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    density.addEventListener('change', onDensity);
  };
  function onDensity(): void {
    densityChanged();
    watchDensity();
  }
  watchDensity();
  window.addEventListener('resize', densityChanged);

  return {
    element,
    schedule,
    scheduleSeats(indexes) {
      for (const index of indexes) dirty.add(index);
      queue();
    },
    paint,
    dispose() {
      resize.disconnect();
      density?.removeEventListener('change', onDensity);
      window.removeEventListener('resize', densityChanged);
    },
  };
}
