/**
 * The arithmetic of zooming and panning the seat map: which part of the map (the SVG's viewBox)
 * is shown after a zoom around a point, a drag, or a move of the keyboard focus. Pure, so that
 * the map view only reads events and writes the viewBox; tested in web/test/map-viewport.test.ts.
 */

export interface Point {
  x: number;
  y: number;
}

/** A rectangle of the map, in map units: what the SVG's viewBox shows. */
export interface ViewBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where an element is drawn on screen, in CSS pixels (a DOMRect fits). */
export interface ScreenBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ViewLimits {
  /** The whole venue: the widest view, and the area every view stays within. */
  readonly whole: ViewBox;
  /** The narrowest a view may be (the most zoomed in). */
  readonly minWidth: number;
}

/**
 * Limits for a map whose whole is `whole`: zoomed in no further than `minSpan` map units across
 * the view's shorter side (a few seats), and never out past the whole.
 */
export function viewLimits(whole: ViewBox, minSpan: number): ViewLimits {
  const minWidth = Math.min(whole.width, minSpan * Math.max(1, whole.width / whole.height));
  return { whole: { ...whole }, minWidth };
}

/**
 * The view moved and sized back within the limits. Every view keeps the whole's proportions, so
 * that the SVG keeps its size on the page and a zoom never stretches the map.
 */
export function clampView(view: ViewBox, limits: ViewLimits): ViewBox {
  const { whole } = limits;
  const width = clamp(view.width, limits.minWidth, whole.width);
  const height = (width * whole.height) / whole.width;
  return {
    x: clamp(view.x, whole.x, whole.x + whole.width - width),
    y: clamp(view.y, whole.y, whole.y + whole.height - height),
    width,
    height,
  };
}

/**
 * Zooms by `factor` (above 1 zooms in) around `point`, a point of the map that stays where it is
 * on screen — unless the limits move the view (at the edge of the venue, or zoomed out whole).
 */
export function zoomAround(view: ViewBox, factor: number, point: Point, limits: ViewLimits): ViewBox {
  const width = clamp(view.width / factor, limits.minWidth, limits.whole.width);
  const shrink = width / view.width;
  return clampView({
    x: point.x - (point.x - view.x) * shrink,
    y: point.y - (point.y - view.y) * shrink,
    width,
    height: view.height * shrink,
  }, limits);
}

/** Zooms by `factor` around the middle of the view (the zoom buttons). */
export function zoomCentred(view: ViewBox, factor: number, limits: ViewLimits): ViewBox {
  return zoomAround(view, factor, { x: view.x + view.width / 2, y: view.y + view.height / 2 }, limits);
}

/** Moves the view by `dx`, `dy` map units, stopping at the edges of the venue. */
export function panBy(view: ViewBox, dx: number, dy: number, limits: ViewLimits): ViewBox {
  return clampView({ ...view, x: view.x + dx, y: view.y + dy }, limits);
}

/**
 * The view moved as little as it takes to show `point` at least `margin` map units inside its
 * edges (a seat the keyboard focus moved to); the same view when it shows it already.
 */
export function panToInclude(view: ViewBox, point: Point, margin: number, limits: ViewLimits): ViewBox {
  const mx = Math.min(margin, view.width / 2);
  const my = Math.min(margin, view.height / 2);
  const dx = shortfall(point.x, view.x + mx, view.x + view.width - mx);
  const dy = shortfall(point.y, view.y + my, view.y + view.height - my);
  return dx === 0 && dy === 0 ? view : panBy(view, dx, dy, limits);
}

/**
 * The map point under a screen position, for an SVG drawn in `screen` with this viewBox and the
 * default `preserveAspectRatio` (xMidYMid meet: scaled to fit, centred).
 */
export function screenToMap(view: ViewBox, screen: ScreenBox, at: Point): Point {
  const scale = pixelsPerUnit(view, screen);
  return {
    x: view.x + (at.x - screen.left - (screen.width - view.width * scale) / 2) / scale,
    y: view.y + (at.y - screen.top - (screen.height - view.height * scale) / 2) / scale,
  };
}

/** CSS pixels per map unit. */
export function pixelsPerUnit(view: ViewBox, screen: ScreenBox): number {
  return Math.min(screen.width / view.width, screen.height / view.height);
}

export interface WheelTurn {
  deltaY: number;
  /** 0: pixels, 1: lines, 2: pages (WheelEvent.deltaMode). */
  deltaMode: number;
  /** A trackpad pinch comes as a wheel with ctrlKey, in small steps. */
  ctrlKey: boolean;
}

/** How much a wheel turn zooms: a notch of a mouse wheel about 15 %, a pinch as far as the fingers go. */
export function wheelZoomFactor(turn: WheelTurn): number {
  const perUnit = turn.deltaMode === 1 ? 0.05 : turn.deltaMode === 2 ? 1 : 0.002;
  return 2 ** (-turn.deltaY * perUnit * (turn.ctrlKey ? 10 : 1));
}

/** Whether two views are the same to within a hundredth of a map unit. */
export function sameView(a: ViewBox, b: ViewBox): boolean {
  return Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01 && Math.abs(a.width - b.width) < 0.01 && Math.abs(a.height - b.height) < 0.01;
}

export function viewBoxAttribute(view: ViewBox): string {
  return [view.x, view.y, view.width, view.height].map((n) => String(Math.round(n * 100) / 100)).join(' ');
}

/** How far `value` must move to lie within [low, high]; 0 when it does. */
function shortfall(value: number, low: number, high: number): number {
  if (value < low) return value - low;
  if (value > high) return value - high;
  return 0;
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}

export type ZoomKeyAction = 'in' | 'out' | 'whole';

/** What a key does to the zoom: + (or =) in, - out, 0 the whole venue; Ctrl or Cmd with them zooms the page, as ever. */
export function zoomKeyAction(press: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): ZoomKeyAction | undefined {
  if (press.ctrlKey || press.metaKey || press.altKey) return undefined;
  if (press.key === '+' || press.key === '=') return 'in';
  if (press.key === '-') return 'out';
  if (press.key === '0') return 'whole';
  return undefined;
}
