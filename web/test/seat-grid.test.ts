import { describe, expect, it } from 'vitest';
import { createSeatGrid } from '../src/seat-grid.js';

// A block of 100 rows of 100 seats, 10 units apart, from (0, 0); a lone seat far off at (5000, 5000).
const points = [
  ...Array.from({ length: 10_000 }, (_, i) => ({ x: (i % 100) * 10, y: Math.floor(i / 100) * 10 })),
  { x: 5_000, y: 5_000 },
];
const grid = createSeatGrid(points, 40);
/** What the grid must answer, found by looking at every seat. */
const inside = (view: { x: number; y: number; width: number; height: number }, radius: number) =>
  points.flatMap((p, i) => (p.x >= view.x - radius && p.x <= view.x + view.width + radius && p.y >= view.y - radius && p.y <= view.y + view.height + radius ? [i] : []));

describe('the seat grid', () => {
  it('finds the seat under a point: the nearest within reach, none between seats', () => {
    expect(grid.seatAt({ x: 0, y: 0 }, 4)).toBe(0);
    expect(grid.seatAt({ x: 512, y: 733 }, 4)).toBe(73 * 100 + 51);
    expect(grid.seatAt({ x: 518, y: 733 }, 4)).toBe(73 * 100 + 52);
    // Half-way between two seats, further than the radius from both.
    expect(grid.seatAt({ x: 515, y: 735 }, 4)).toBeUndefined();
    // Across a cell's edge (cells are 40 wide): seat (40, 40) from (38.5, 41).
    expect(grid.seatAt({ x: 38.5, y: 41 }, 4)).toBe(4 * 100 + 4);
    expect(grid.seatAt({ x: 5_001, y: 4_998 }, 4)).toBe(10_000);
    expect(grid.seatAt({ x: -50, y: -50 }, 4)).toBeUndefined();
    expect(grid.seatAt({ x: 99_999, y: 99_999 }, 4)).toBeUndefined();
  });

  it('lists the seats in a view, the edge and the circles reaching into it included', () => {
    for (const view of [
      { x: 95, y: 95, width: 100, height: 50 },
      { x: -20, y: -20, width: 35, height: 35 },
      { x: 985, y: 0, width: 4_100, height: 5_100 },
      { x: 2_000, y: 2_000, width: 100, height: 100 },
    ]) {
      expect(grid.seatsIn(view, 4, 20_000)?.sort((a, b) => a - b), JSON.stringify(view)).toEqual(inside(view, 4));
    }
  });

  it('stops counting once a view holds more seats than asked for', () => {
    const whole = { x: -10, y: -10, width: 6_000, height: 6_000 };
    expect(grid.seatsIn(whole, 4, 3_000)).toBeUndefined();
    expect(grid.seatsIn(whole, 4, 10_001)).toHaveLength(10_001);
    expect(grid.seatsIn({ x: 0, y: 0, width: 90, height: 90 }, 0, 100)).toHaveLength(100);
    expect(grid.seatsIn({ x: 0, y: 0, width: 90, height: 90 }, 0, 99)).toBeUndefined();
  });

  it('answers for a map without seats', () => {
    const empty = createSeatGrid([], 40);
    expect(empty.seatAt({ x: 0, y: 0 }, 4)).toBeUndefined();
    expect(empty.seatsIn({ x: 0, y: 0, width: 10, height: 10 }, 4, 10)).toEqual([]);
  });
});
