import type { LayoutSection, VenueLayout, VenueSeat } from '@stream-seat/contracts';
import { InvalidField } from '@stream-seat/platform';
import { describe, expect, it } from 'vitest';
import { arena, theatre } from '../../../../scripts/demo-data.js';
import { buildSeatMap, SEAT_PITCH } from './seat-map.js';
import { checkDrawable, findOverlappingSeats, MIN_SEAT_SPACING } from './seat-map-collisions.js';

const block = (id: string, extra: Partial<LayoutSection> = {}): LayoutSection => ({
  id,
  name: id,
  tier: 'A',
  rows: [
    { label: 'A', seats: 10 },
    { label: 'B', seats: 10 },
  ],
  ...extra,
});

/** The field and message of the 400 a layout gets, or undefined when it is drawable. */
function refusal(layout: VenueLayout): { field: string; message: string } | undefined {
  try {
    checkDrawable(layout, buildSeatMap(layout));
    return undefined;
  } catch (error) {
    if (!(error instanceof InvalidField)) throw error;
    const [fault] = (error.fields as { errors: Array<{ field: string; message: string }> }).errors;
    return fault;
  }
}

const seat = (id: string, x: number, y: number): VenueSeat => ({ id, section: 'S', row: 'A', number: 1, x, y, tier: 'A' });

describe('checkDrawable', () => {
  it('takes the demo venues, a staggered row and sections side by side', () => {
    expect(refusal(theatre)).toBeUndefined();
    expect(refusal(arena)).toBeUndefined();
    expect(refusal({ name: 'V', sections: [block('S', { rows: [{ label: 'A', seats: 9 }, { label: 'B', seats: 9, offset: 0.5 }] }), block('T')] })).toBeUndefined();
  });

  it('refuses two sections at the same position, naming the later one’s row and both seats', () => {
    const found = refusal({ name: 'V', sections: [block('S', { position: { x: 0, y: 0 } }), block('T', { position: { x: 0, y: 0 } })] });
    expect(found?.field).toBe('sections.1.rows.0');
    expect(found?.message).toMatch(/^seat T-A-1 would be drawn on seat S-A-1 \(centres 0\.0 apart, at least 5 needed\)/);
  });

  it('refuses a section placed half a seat beside another, and takes one a whole seat beside it', () => {
    const beside = (dx: number) =>
      refusal({ name: 'V', sections: [block('S', { position: { x: 0, y: 0 } }), block('T', { position: { x: 100 + dx, y: 0 } })] });
    // S's seats are 10 apart and its box ends half a seat after the last: T at x = 100 is next to it.
    expect(beside(0)).toBeUndefined();
    expect(beside(-8)?.field).toBe('sections.1.rows.0');
  });

  it('refuses a row whose curve brings its ends through the row in front', () => {
    const found = refusal({ name: 'V', sections: [block('S', { rows: [{ label: 'A', seats: 9 }, { label: 'B', seats: 9, curve: 1 }] })] });
    expect(found?.field).toBe('sections.0.rows.1');
    expect(found?.message).toMatch(/^seat S-B-1 would be drawn on seat S-A-1/);
  });

  it('refuses a standing area over seats, naming whichever section comes later', () => {
    const floor: LayoutSection = { id: 'FLOOR', name: 'F', tier: 'GA', capacity: 50, position: { x: 20, y: 0 }, size: { width: 60, height: 20 } };
    const seatsFirst = refusal({ name: 'V', sections: [block('S', { position: { x: 0, y: 0 } }), floor] });
    expect(seatsFirst?.field).toBe('sections.1');
    expect(seatsFirst?.message).toMatch(/^its standing area covers seat S-A-\d+ of sections\.0$/);
    const floorFirst = refusal({ name: 'V', sections: [floor, block('S', { position: { x: 0, y: 0 } })] });
    expect(floorFirst?.field).toBe('sections.1.rows.0');
    expect(floorFirst?.message).toMatch(/^seat S-A-\d+ lies inside the standing area of sections\.0 \(FLOOR\)$/);
    // The same floor behind the block is fine.
    expect(refusal({ name: 'V', sections: [block('S', { position: { x: 0, y: 0 } }), { ...floor, position: { x: 0, y: 40 } }] })).toBeUndefined();
    // Row B's seat centres are at y = 17 (the block's outline starts at 0, half a seat above row A's
    // at 5): a floor starting 3 units below them lies under their lower halves; 6 below, clear.
    const behind = (y: number) => refusal({ name: 'V', sections: [block('S', { position: { x: 0, y: 0 } }), { ...floor, position: { x: 0, y } }] });
    expect(behind(20)?.field).toBe('sections.1');
    expect(behind(23)).toBeUndefined();
  });

  it('refuses two standing areas on top of each other, and takes two that only touch', () => {
    const area = (id: string, x: number): LayoutSection => ({ id, name: id, tier: 'GA', capacity: 10, position: { x, y: 0 }, size: { width: 50, height: 50 } });
    expect(refusal({ name: 'V', sections: [area('F1', 0), area('F2', 30)] })).toEqual({
      field: 'sections.1',
      message: 'its standing area lies on the standing area of sections.0 (F1)',
    });
    expect(refusal({ name: 'V', sections: [area('F1', 0), area('F2', 50)] })).toBeUndefined();
  });
});

describe('findOverlappingSeats', () => {
  it('finds seats closer than half a seat across cell borders, and not seats exactly that far apart', () => {
    expect(findOverlappingSeats([seat('a', 4.9, 0), seat('b', 10, 0), seat('c', 5.1, 0)])?.map((s) => s.id)).toEqual(['a', 'c']);
    expect(findOverlappingSeats([seat('a', 0, 0), seat('b', MIN_SEAT_SPACING, 0), seat('c', 0, MIN_SEAT_SPACING)])).toBeUndefined();
    expect(findOverlappingSeats([seat('a', 3, 3), seat('b', 6.5, 6.5)])?.map((s) => s.id)).toEqual(['a', 'b']);
  });

  it('goes through 100,000 seats in a grid and finds the one seat placed on another', () => {
    const grid: VenueSeat[] = [];
    for (let i = 0; i < 100_000; i++) grid.push(seat(`s${i}`, (i % 1_000) * SEAT_PITCH, Math.floor(i / 1_000) * 12));
    expect(findOverlappingSeats(grid)).toBeUndefined();
    grid.push(seat('late', 500 * SEAT_PITCH + 1, 50 * 12 - 1));
    expect(findOverlappingSeats(grid)?.map((s) => s.id)).toEqual(['s50500', 'late']);
  });
});
