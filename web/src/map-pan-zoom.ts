/**
 * Zoom and pan on the seat map's SVG: the zoom buttons, the wheel (and a trackpad's pinch) around
 * the pointer, dragging with a mouse, pen or finger, and the + - 0 keys. Only the viewBox changes
 * (a large map's canvas follows it through `onChange`), so the seats stay sharp at any zoom;
 * map-viewport.ts does the arithmetic.
 */
import { h } from './dom.js';
import {
  panBy,
  panToInclude,
  pixelsPerUnit,
  type Point,
  sameView,
  screenToMap,
  type ViewBox,
  viewBoxAttribute,
  type ViewLimits,
  wheelZoomFactor,
  zoomAround,
  zoomCentred,
  zoomKeyAction,
} from './map-viewport.js';

/** A press that moves further than this is a drag, and its click selects nothing. */
const DRAG_THRESHOLD_PX = 4;
/** One press of a zoom button or key doubles or halves the seats' size. */
const ZOOM_STEP = 2;

export interface MapPanZoom {
  /** The zoom buttons, to put under the map. */
  readonly controls: HTMLElement;
  /** The part of the map shown now. */
  readonly view: ViewBox;
  /** Pans, if need be, so that `point` shows at least `margin` inside the edges (the seat the keyboard focus went to). */
  reveal(point: Point, margin: number): void;
}

export interface MapPanZoomOptions {
  limits: ViewLimits;
  /** The map point a zoom key zooms around (the focused seat's); the view's middle without one. */
  keyAnchor(event: KeyboardEvent): Point | undefined;
  /** Called after each change of the view (a canvas under the SVG follows it). */
  onChange?(view: ViewBox): void;
}

export function attachPanZoom(map: SVGSVGElement, options: MapPanZoomOptions): MapPanZoom {
  const { limits } = options;
  let view: ViewBox = limits.whole;
  map.setAttribute('viewBox', viewBoxAttribute(view));

  function show(next: ViewBox): boolean {
    if (sameView(next, view)) return false;
    view = next;
    map.setAttribute('viewBox', viewBoxAttribute(view));
    map.classList.toggle('zoomed', isZoomed());
    options.onChange?.(view);
    return true;
  }
  const isZoomed = () => view.width < limits.whole.width * 0.999;
  const mapPoint = (event: MouseEvent) => screenToMap(view, map.getBoundingClientRect(), { x: event.clientX, y: event.clientY });

  map.addEventListener('wheel', (event) => {
    const zoomed = show(zoomAround(view, wheelZoomFactor(event), mapPoint(event), limits));
    // Zoomed out whole, turning the wheel on towards "out" scrolls the page past the map; a pinch
    // never zooms the page itself.
    if (zoomed || isZoomed() || event.ctrlKey) event.preventDefault();
  }, { passive: false });

  // The pointer is captured only once the press becomes a drag: captured at once, a plain click
  // would go to the <svg> rather than the seat under it.
  let press: { id: number; x: number; y: number; from: ViewBox; scale: number; dragging: boolean } | undefined;
  let dragEnded = false;
  map.addEventListener('pointerdown', (event) => {
    dragEnded = false;
    if (!event.isPrimary || event.button !== 0) return;
    press = { id: event.pointerId, x: event.clientX, y: event.clientY, from: view, scale: pixelsPerUnit(view, map.getBoundingClientRect()), dragging: false };
  });
  map.addEventListener('pointermove', (event) => {
    if (!press || event.pointerId !== press.id) return;
    const dx = event.clientX - press.x;
    const dy = event.clientY - press.y;
    if (!press.dragging) {
      if (Math.hypot(dx, dy) <= DRAG_THRESHOLD_PX) return;
      press.dragging = true;
      map.setPointerCapture(event.pointerId);
      map.classList.add('panning');
    }
    show(panBy(press.from, -dx / press.scale, -dy / press.scale, limits));
  });
  const release = (event: PointerEvent) => {
    if (!press || event.pointerId !== press.id) return;
    dragEnded = press.dragging;
    press = undefined;
    map.classList.remove('panning');
  };
  map.addEventListener('pointerup', release);
  map.addEventListener('pointercancel', release);
  // Before the seats' own click handler (capture phase): a drag that ends on a seat selects nothing.
  // (Chromium sends that click to the <svg>, which holds the pointer; this does not rely on it.)
  map.addEventListener('click', (event) => {
    if (!dragEnded) return;
    dragEnded = false;
    event.stopImmediatePropagation();
  }, true);

  function zoomBy(factor: number, around?: Point): void {
    show(around ? zoomAround(view, factor, around, limits) : zoomCentred(view, factor, limits));
  }
  map.addEventListener('keydown', (event) => {
    const action = zoomKeyAction(event);
    if (!action) return;
    event.preventDefault();
    if (action === 'whole') show(limits.whole);
    else zoomBy(action === 'in' ? ZOOM_STEP : 1 / ZOOM_STEP, options.keyAnchor(event));
  });

  const button = (label: string, text: string, onClick: () => void) =>
    h('button', { type: 'button', class: 'secondary', 'aria-label': label, title: label, onclick: onClick }, text);
  const controls = h('div', { class: 'map-zoom', role: 'group', 'aria-label': 'Map zoom' },
    button('Zoom in', '+', () => zoomBy(ZOOM_STEP)),
    button('Zoom out', '−', () => zoomBy(1 / ZOOM_STEP)),
    button('Fit whole venue', 'Fit', () => show(limits.whole)),
  );

  return {
    controls,
    get view() {
      return view;
    },
    reveal(point, margin) {
      show(panToInclude(view, point, margin, limits));
    },
  };
}
