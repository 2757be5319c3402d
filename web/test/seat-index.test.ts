import { describe, expect, it } from 'vitest';
import { createSeatBoard } from '../src/seat-board.js';
import { createSeatIndex } from '../src/seat-index.js';
import { smallSeatMap as map } from './small-seat-map.js';

describe('the seat index', () => {
  it('places seats by the map and general-admission units by their section prefix, once the first snapshot is in', () => {
    const board = createSeatBoard();
    const places = createSeatIndex(map, board);
    // Before any snapshot the live state lists no units: nothing is known, and nothing is kept.
    expect(places.unitsOf('FLOOR')).toEqual([]);
    expect(places.tierOf('ORCH-A-1')).toBe('A');
    board.applySnapshot({
      seq: 3,
      seats: { 'ORCH-A-1': 'AVAILABLE', 'ORCH-A-2': 'HELD', 'FLOOR-GA-1': 'AVAILABLE', 'FLOOR-GA-2': 'HELD', 'FLOOR-GA-3': 'AVAILABLE' },
    });
    expect(places.unitsOf('FLOOR')).toEqual(['FLOOR-GA-1', 'FLOOR-GA-2', 'FLOOR-GA-3']);
    expect(places.unitsOf('ORCH')).toEqual([]);
    expect(places.tierOf('FLOOR-GA-2')).toBe('GA');
    expect(places.tierOf('NOPE-1')).toBeUndefined();
  });

  it('names a seat as the map and the panel say it, by its section\'s name', () => {
    const places = createSeatIndex(map, createSeatBoard());
    expect(places.nameOf('ORCH-A-2')).toBe('Orchestra, row A, seat 2');
    // A standing unit by its section's name (it had been shown as its id); an unknown id as it is.
    expect(places.nameOf('FLOOR-GA-1')).toBe('Floor, standing');
    expect(places.nameOf('BALC-C-9')).toBe('BALC-C-9');
  });

  it('names a unit by the longest section id it begins with', () => {
    const nested = { ...map, sections: [...map.sections, { id: 'FLOOR-B', name: 'Floor B', tier: 'GA', priceCents: 2000, kind: 'general' as const, capacity: 2 }] };
    const places = createSeatIndex(nested, createSeatBoard());
    expect(places.nameOf('FLOOR-B-GA-1')).toBe('Floor B, standing');
    expect(places.nameOf('FLOOR-GA-1')).toBe('Floor, standing');
    // A section called "Standing" is not "Standing, standing".
    const standing = { ...map, sections: [{ id: 'GA', name: 'Standing', tier: 'GA', priceCents: 2000, kind: 'general' as const, capacity: 2 }] };
    expect(createSeatIndex(standing, createSeatBoard()).nameOf('GA-GA-17')).toBe('Standing');
  });
});
