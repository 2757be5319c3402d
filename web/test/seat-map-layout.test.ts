import type { SeatMap } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { mapBox, WIDEST_MAP } from '../src/seat-map-layout.js';
import { smallSeatMap } from './small-seat-map.js';

/** `rows` rows of `perRow` seats 10 apart, its first seat at (x, y). */
function block(section: string, x: number, y: number, rows: number, perRow: number): SeatMap['seats'] {
  return Array.from({ length: rows * perRow }, (_, i) => {
    const row = String.fromCharCode(65 + Math.floor(i / perRow));
    const number = (i % perRow) + 1;
    return { id: `${section}-${row}-${number}`, section, row, number, x: x + (number - 1) * 10, y: y + (row.charCodeAt(0) - 65) * 10, tier: 'A', priceCents: 1000 };
  });
}

const contains = (box: { x: number; y: number; width: number; height: number }, seat: { x: number; y: number }) =>
  seat.x > box.x && seat.x < box.x + box.width && seat.y > box.y && seat.y < box.y + box.height;

describe('the seat map\'s whole', () => {
  it('gives a venue wider than WIDEST_MAP room above and below, centred on it, so that it can be zoomed to seats a finger can tap', () => {
    // Six sections of 10 rows of 20 seats side by side, as the API places sections by default.
    const seats = Array.from({ length: 6 }, (_, i) => block(`S${i}`, i * 220, 40, 10, 20)).flat();
    const wide: SeatMap = { ...smallSeatMap, bounds: { width: 1320, height: 140 }, stage: { x: 660, y: 0 }, sections: [], seats };
    const box = mapBox(wide, 4);
    expect(box.width / box.height).toBeCloseTo(WIDEST_MAP, 6);
    for (const seat of seats) expect(contains(box, seat), seat.id).toBe(true);
    // Centred on what is drawn: from the stage (its label 12 above y = 0) to the last row (y = 130).
    expect(box.y + box.height / 2).toBeCloseTo((-12 + 130) / 2, 6);
  });

  it('keeps a venue no wider than that as it is: what is drawn, with a margin round it', () => {
    // 10 rows of 5 seats (x 0–40, y 40–130) under a stage at (20, 0): a margin of 4 × 3 + 10 round it.
    const narrow: SeatMap = { ...smallSeatMap, stage: { x: 20, y: 0 }, sections: [], seats: block('S', 0, 40, 10, 5) };
    expect(mapBox(narrow, 4)).toEqual({ x: -62, y: -34, width: 164, height: 186 });
  });
});
