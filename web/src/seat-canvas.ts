/**
 * Paints a large map's seats on a canvas under its SVG: the browser styles, lays out and paints
 * 100,000 SVG circles in seconds, a canvas fills them in milliseconds. The canvas covers the SVG's
 * box and shows the same view (the viewBox, fitted and centred as the SVG's default
 * preserveAspectRatio does), at the screen's pixel density. Seats are painted one colour at a time,
 * squares where they are under 3 pixels across (indistinguishable there, and faster to fill).
 * The SVG above keeps the stage, the general-admission areas, and the seats a buyer can reach with
 * assistive technology (seat-map-view.ts).
 */
import { h } from './dom.js';
import { pixelsPerUnit, type Point, type ViewBox } from './map-viewport.js';

export interface SeatCanvas {
  readonly element: HTMLCanvasElement;
  /** Paints at the next frame; any number of calls before it make one paint. */
  schedule(): void;
  /** Paints now (the first paint, in the same frame as the snapshot that coloured the seats). */
  paint(): void;
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
}

const TAU = Math.PI * 2;
/** Seats narrower than this many device pixels are painted as squares. */
const ROUND_FROM_PX = 3;

export function createSeatCanvas(options: SeatCanvasOptions): SeatCanvas {
  const { over, seats, radius } = options;
  const element = h('canvas', { class: 'seat-canvas', 'aria-hidden': 'true' });
  let queued = false;

  function paint(): void {
    queued = false;
    // The SVG is the first box of the map's container, at its top left, as the canvas is (styles.css).
    const { width, height } = over.getBoundingClientRect();
    // Not on the page yet, or hidden: the resize observer paints once it has a size.
    if (width === 0 || height === 0) return;
    const ratio = window.devicePixelRatio || 1;
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
    context.setTransform(ratio * scale, 0, 0, ratio * scale, ratio * offsetX, ratio * offsetY);

    // What shows: the view and whatever of the letterbox the SVG's box adds around it.
    const left = -offsetX / scale - radius;
    const top = -offsetY / scale - radius;
    const right = (width - offsetX) / scale + radius;
    const bottom = (height - offsetY) / scale + radius;
    const byColour = new Map<string, number[]>();
    seats.forEach((seat, index) => {
      if (seat.x < left || seat.x > right || seat.y < top || seat.y > bottom) return;
      const colour = options.colourOf(index);
      const same = byColour.get(colour);
      if (same) same.push(index);
      else byColour.set(colour, [index]);
    });
    const round = 2 * radius * scale * ratio >= ROUND_FROM_PX;
    for (const [colour, indexes] of byColour) {
      context.fillStyle = colour;
      context.beginPath();
      for (const index of indexes) {
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

  function schedule(): void {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      // Painted meanwhile by a direct call: nothing left to do.
      if (queued) paint();
    });
  }

  // A new width of the page (or of the map's column) changes the SVG's box: paint to fit it.
  new ResizeObserver(schedule).observe(over);
  return { element, schedule, paint };
}
