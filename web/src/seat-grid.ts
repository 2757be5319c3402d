/**
 * Where a large map's seats are: square cells over the map, each listing the seats whose centre
 * lies in it. The canvas-drawn map (seat-map-view.ts) asks it for the seat under a click and for
 * the seats in view, without looking at every seat. Pure, tested in web/test/seat-grid.test.ts.
 */
import type { Point, ViewBox } from './map-viewport.js';

export interface SeatGrid {
  /** The index of the seat nearest `point` whose centre is at most `within` away; undefined when none is. */
  seatAt(point: Point, within: number): number | undefined;
  /**
   * The indexes of the seats whose circle (of radius `radius`) shows in `view`, in no particular
   * order; undefined as soon as there are more than `atMost` of them.
   */
  seatsIn(view: ViewBox, radius: number, atMost: number): number[] | undefined;
}

export function createSeatGrid(points: readonly Point[], cellSize: number): SeatGrid {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  const columns = points.length === 0 ? 0 : Math.floor((maxX - minX) / cellSize) + 1;
  const rows = points.length === 0 ? 0 : Math.floor((maxY - minY) / cellSize) + 1;
  const column = (x: number) => Math.floor((x - minX) / cellSize);
  const row = (y: number) => Math.floor((y - minY) / cellSize);
  const cells = new Map<number, number[]>();
  points.forEach((p, index) => {
    const key = row(p.y) * columns + column(p.x);
    const cell = cells.get(key);
    if (cell) cell.push(index);
    else cells.set(key, [index]);
  });

  /** Calls `visit` with each seat of the cells that meet the rectangle; stops when it answers false. */
  function eachNear(left: number, top: number, right: number, bottom: number, visit: (index: number) => boolean): void {
    const c0 = Math.max(0, column(left));
    const c1 = Math.min(columns - 1, column(right));
    const r0 = Math.max(0, row(top));
    const r1 = Math.min(rows - 1, row(bottom));
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        for (const index of cells.get(r * columns + c) ?? []) if (!visit(index)) return;
      }
    }
  }

  return {
    seatAt(point, within) {
      let best: number | undefined;
      let bestDistance = within;
      eachNear(point.x - within, point.y - within, point.x + within, point.y + within, (index) => {
        const p = points[index] as Point;
        const distance = Math.hypot(p.x - point.x, p.y - point.y);
        if (distance <= bestDistance) {
          best = index;
          bestDistance = distance;
        }
        return true;
      });
      return best;
    },
    seatsIn(view, radius, atMost) {
      const left = view.x - radius;
      const top = view.y - radius;
      const right = view.x + view.width + radius;
      const bottom = view.y + view.height + radius;
      const found: number[] = [];
      let tooMany = false;
      eachNear(left, top, right, bottom, (index) => {
        const p = points[index] as Point;
        if (p.x < left || p.x > right || p.y < top || p.y > bottom) return true;
        found.push(index);
        tooMany = found.length > atMost;
        return !tooMany;
      });
      return tooMany ? undefined : found;
    },
  };
}
