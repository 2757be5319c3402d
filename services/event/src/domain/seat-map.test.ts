import { MAX_LAYOUT_COORDINATE, type VenueLayout, venueLayout } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { buildSeatMap, ROW_PITCH, SEAT_PITCH } from './seat-map.js';

const inside = (map: ReturnType<typeof buildSeatMap>) =>
  map.seats.every((s) => s.x >= 0 && s.y >= 0 && s.x <= map.bounds.width && s.y <= map.bounds.height);

describe('buildSeatMap', () => {
  it('names seats SECTION-ROW-NUMBER, numbered from 1 along each row', () => {
    const map = buildSeatMap({ name: 'V', sections: [{ id: 'ORCH', name: 'O', tier: 'A', rows: [{ label: 'A', seats: 3 }, { label: 'B', seats: 2 }] }] });
    expect(map.seats.map((s) => s.id)).toEqual(['ORCH-A-1', 'ORCH-A-2', 'ORCH-A-3', 'ORCH-B-1', 'ORCH-B-2']);
    expect(map.seats[4]).toMatchObject({ section: 'ORCH', row: 'B', number: 2, tier: 'A' });
  });

  it('spaces straight rows a seat apart, rows one behind the other, all inside the bounds', () => {
    const map = buildSeatMap({ name: 'V', sections: [{ id: 'S', name: 'S', tier: 'A', rows: [{ label: 'A', seats: 4 }, { label: 'B', seats: 4 }] }] });
    const [a1, a2, , , b1] = map.seats;
    expect(a2!.x - a1!.x).toBeCloseTo(SEAT_PITCH);
    expect(a2!.y).toBe(a1!.y);
    expect(b1!.y - a1!.y).toBeCloseTo(ROW_PITCH);
    expect(inside(map)).toBe(true);
  });

  it('bends a curved row so that its ends come nearer the stage than its middle', () => {
    const map = buildSeatMap({ name: 'V', sections: [{ id: 'S', name: 'S', tier: 'A', rows: [{ label: 'A', seats: 9, curve: 2 }] }] });
    const ys = map.seats.map((s) => s.y);
    expect(ys[0]).toBeLessThan(ys[4]!);
    expect(ys[8]).toBeCloseTo(ys[0]!);
    expect(map.stage.y).toBeLessThan(Math.min(...ys));
    expect(inside(map)).toBe(true);
  });

  it('shifts an offset row sideways by seat widths', () => {
    const map = buildSeatMap({ name: 'V', sections: [{ id: 'S', name: 'S', tier: 'A', rows: [{ label: 'A', seats: 3 }, { label: 'B', seats: 3, offset: 0.5 }] }] });
    expect(map.seats[3]!.x - map.seats[0]!.x).toBeCloseTo(SEAT_PITCH / 2);
  });

  it('places sections side by side without overlap, and honours given positions', () => {
    const layout: VenueLayout = {
      name: 'V',
      sections: [
        { id: 'L', name: 'L', tier: 'A', rows: [{ label: 'A', seats: 5 }] },
        { id: 'R', name: 'R', tier: 'A', rows: [{ label: 'A', seats: 5 }] },
      ],
    };
    const map = buildSeatMap(layout);
    const maxL = Math.max(...map.seats.filter((s) => s.section === 'L').map((s) => s.x));
    const minR = Math.min(...map.seats.filter((s) => s.section === 'R').map((s) => s.x));
    expect(minR).toBeGreaterThan(maxL + SEAT_PITCH);

    const placed = buildSeatMap({
      name: 'V',
      stage: { x: 0, y: 0 },
      sections: [{ id: 'P', name: 'P', tier: 'A', position: { x: 100, y: 200 }, rows: [{ label: 'A', seats: 1 }] }],
    });
    // One seat in a box padded by half a pitch: the seat sits 5 units inside the given corner.
    expect(placed.seats[0]!.x - placed.stage.x).toBeCloseTo(105);
    expect(placed.seats[0]!.y - placed.stage.y).toBeCloseTo(205);
  });

  it('turns a rotated section about its centre', () => {
    const map = buildSeatMap({ name: 'V', sections: [{ id: 'S', name: 'S', tier: 'A', rotation: 90, rows: [{ label: 'A', seats: 5 }] }] });
    const xs = new Set(map.seats.map((s) => s.x));
    expect(xs.size).toBe(1);
    expect(new Set(map.seats.map((s) => s.y)).size).toBe(5);
    expect(inside(map)).toBe(true);
  });

  it('gives a general-admission section an area and its capacity, but no seats', () => {
    const map = buildSeatMap({ name: 'V', sections: [{ id: 'FLOOR', name: 'Floor', tier: 'GA', capacity: 2000 }] });
    expect(map.seats).toEqual([]);
    expect(map.sections[0]).toMatchObject({ id: 'FLOOR', kind: 'general', capacity: 2000 });
    const area = map.sections[0]!.area!;
    expect(area.width * area.height).toBeGreaterThan(2000);
    expect(area.x + area.width).toBeLessThanOrEqual(map.bounds.width);
  });

  it('keeps the bounds finite for the largest layout the contract admits', () => {
    const far = MAX_LAYOUT_COORDINATE;
    const layout = venueLayout.parse({
      name: 'V',
      stage: { x: -far, y: far },
      sections: [
        // 199 of the largest areas side by side, turned 45°, and one of the widest rows placed at a corner.
        ...Array.from({ length: 199 }, (_, i) => ({ id: `G${i}`, name: 'G', tier: 'GA', capacity: 1, rotation: 45, size: { width: 100_000, height: 100_000 } })),
        { id: 'S', name: 'S', tier: 'A', position: { x: far, y: -far }, rotation: 45, rows: [{ label: 'A', seats: 1_000, offset: 100, curve: 10 }] },
      ],
    });
    const map = buildSeatMap(layout);
    for (const v of [map.bounds.width, map.bounds.height, map.stage.x, map.stage.y]) expect(Number.isFinite(v)).toBe(true);
    expect(map.bounds.width).toBeLessThan(1e9);
    expect(JSON.parse(JSON.stringify(map.bounds))).toEqual(map.bounds);
    expect(inside(map)).toBe(true);
  });
});
