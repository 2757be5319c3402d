import { describe, expect, it } from 'vitest';
import { bestAvailable, bestAvailableChoices, bestAvailableIn, bestAvailablePicks, blockSides, leavesLoneSeat, type SeatCandidate } from './best-available.js';
import { buildSeatLayout } from './seat-layout.js';

const stage = { x: 0, y: 0 };

/** A row of seats 1..n at distance `y` from the stage; `taken` lists seat numbers not free. */
function row(section: string, label: string, y: number, n: number, taken: number[] = [], tier = 'A'): SeatCandidate[] {
  return Array.from({ length: n }, (_, i) => ({
    seatId: `${section}-${label}-${i + 1}`,
    section,
    row: label,
    number: i + 1,
    kind: 'seated' as const,
    tier,
    x: (i + 1 - (n + 1) / 2) * 1,
    y,
    free: !taken.includes(i + 1),
  }));
}

const first = () => 0;

describe('best available, seated', () => {
  it('offers adjacent seats in the row nearest the stage, centred', () => {
    const seats = [...row('ORCH', 'B', 20, 9), ...row('ORCH', 'A', 10, 9)];
    expect(bestAvailable(seats, { quantity: 3, together: true, stage, random: first })).toEqual([
      'ORCH-A-4',
      'ORCH-A-5',
      'ORCH-A-6',
    ]);
  });

  it('never splits a block across a taken seat or a row', () => {
    const seats = row('ORCH', 'A', 10, 5, [3]);
    expect(bestAvailable(seats, { quantity: 3, together: true, stage, random: first })).toBeUndefined();
    const twoRows = [...row('ORCH', 'A', 10, 2), ...row('ORCH', 'B', 20, 2)];
    expect(bestAvailable(twoRows, { quantity: 3, together: true, stage, random: first })).toBeUndefined();
  });

  it('avoids leaving a single orphan seat when another block exists', () => {
    // Row A: seats 1-4 free, 5 taken. Taking 2-4 or 1-3 would strand one seat; 1-2 or 3-4 does not.
    const seats = row('ORCH', 'A', 10, 5, [5]);
    const block = bestAvailable(seats, { quantity: 2, together: true, stage, random: first });
    expect([['ORCH-A-1', 'ORCH-A-2'], ['ORCH-A-3', 'ORCH-A-4']]).toContainEqual(block);
    // With quantity 3 of 4 free, every block strands a seat: an orphan is accepted then.
    expect(bestAvailable(seats, { quantity: 3, together: true, stage, random: first })).toHaveLength(3);
  });

  it('prefers a farther row to stranding a seat in a nearer one', () => {
    const seats = [...row('ORCH', 'A', 10, 3, [1]), ...row('ORCH', 'B', 20, 4)];
    // Row A has only seats 2-3 free: taking either strands the other. Row B has room at its ends.
    const picked = bestAvailable(seats, { quantity: 1, together: true, stage, random: first });
    expect([['ORCH-B-1'], ['ORCH-B-4']]).toContainEqual(picked);
  });

  it('filters by section and tier', () => {
    const seats = [...row('ORCH', 'A', 10, 4, [], 'A'), ...row('BALC', 'A', 50, 4, [], 'B')];
    expect(bestAvailable(seats, { quantity: 2, together: true, stage, section: 'BALC', random: first })?.[0]).toMatch(/^BALC/);
    expect(bestAvailable(seats, { quantity: 2, together: true, stage, tier: 'B', random: first })?.[0]).toMatch(/^BALC/);
  });

  it('scatters seats when not asked to keep them together and no block exists', () => {
    const seats = row('ORCH', 'A', 10, 5, [2, 4]);
    expect(bestAvailable(seats, { quantity: 2, together: true, stage, random: first })).toBeUndefined();
    expect(bestAvailable(seats, { quantity: 2, together: false, stage, random: first })).toHaveLength(2);
  });

  it('spreads racing retries over the next-best blocks', () => {
    const seats = row('ORCH', 'A', 10, 20);
    const picks = new Set(
      Array.from({ length: 50 }, (_, i) =>
        bestAvailable(seats, { quantity: 2, together: true, stage, spread: 8, random: () => (i % 10) / 10 })?.join(),
      ),
    );
    expect(picks.size).toBeGreaterThan(1);
  });

  it('spreads a retry only over blocks that strand no seat while such blocks exist', () => {
    // An empty row of 10, 4 together: 1-4, 7-10 and the middle 3-6 leave no single seat; 2-5 and 6-9 each strand one.
    const seats = row('ORCH', 'A', 10, 10);
    for (const spread of [0, 4, 8, 12, 28]) {
      for (let i = 0; i < 200; i++) {
        const picked = bestAvailable(seats, { quantity: 4, together: true, stage, spread, random: () => i / 200 }) ?? [];
        const numbers = picked.map((id) => Number(id.split('-')[2]));
        const low = Math.min(...numbers);
        const high = Math.max(...numbers);
        expect(low === 2 || high === 9, `spread ${spread}: ${picked.join()}`).toBe(false);
      }
    }
  });
});

describe('the seats beside a block', () => {
  const seats = [...row('ORCH', 'A', 10, 6, [], 'A'), ...row('ORCH', 'B', 20, 6, [], 'B')];
  const layout = buildSeatLayout(seats, stage);

  it('names the two nearest seats of the row on each side, nearest first, none past the row\'s ends', () => {
    expect(blockSides(layout, ['ORCH-A-3', 'ORCH-A-4'], {})).toEqual({ left: ['ORCH-A-2', 'ORCH-A-1'], right: ['ORCH-A-5', 'ORCH-A-6'] });
    expect(blockSides(layout, ['ORCH-A-2'], {})).toEqual({ left: ['ORCH-A-1'], right: ['ORCH-A-3', 'ORCH-A-4'] });
    expect(blockSides(layout, ['ORCH-B-5', 'ORCH-B-6'], {})).toEqual({ left: ['ORCH-B-4', 'ORCH-B-3'], right: [] });
    expect(blockSides(layout, ['NOPE'], {})).toBeUndefined();
    // Scattered seats (best available without a block) have no sides.
    expect(blockSides(layout, ['ORCH-A-2', 'ORCH-A-4'], {})).toBeUndefined();
    expect(blockSides(layout, ['ORCH-A-2', 'ORCH-B-3'], {})).toBeUndefined();
  });

  it('stops at a gap in the numbers and at seats of another tier when the request names one', () => {
    const gapped = buildSeatLayout(row('ORCH', 'A', 10, 6).filter((s) => s.number !== 2), stage);
    expect(blockSides(gapped, ['ORCH-A-3', 'ORCH-A-4'], {})).toEqual({ left: [], right: ['ORCH-A-5', 'ORCH-A-6'] });
    const mixed = buildSeatLayout(row('ORCH', 'A', 10, 6).map((s) => (s.number === 5 ? { ...s, tier: 'B' } : s)), stage);
    expect(blockSides(mixed, ['ORCH-A-3', 'ORCH-A-4'], { tier: 'A' })).toEqual({ left: ['ORCH-A-2', 'ORCH-A-1'], right: [] });
  });

  it('says a block leaves a lone seat when a side\'s nearest seat stays free and the next is not', () => {
    const sides = { left: ['L1', 'L2'], right: ['R1'] };
    const freeOf = (...ids: string[]) => (id: string) => ids.includes(id);
    expect(leavesLoneSeat(sides, freeOf('L1', 'L2'))).toBe(false);
    expect(leavesLoneSeat(sides, freeOf('L1'))).toBe(true);
    // The row ends after R1: free, it would be alone.
    expect(leavesLoneSeat(sides, freeOf('L1', 'L2', 'R1'))).toBe(true);
    expect(leavesLoneSeat(sides, freeOf('L2'))).toBe(false);
    expect(leavesLoneSeat({ left: [], right: [] }, freeOf())).toBe(false);
  });
});

describe('best available, general admission', () => {
  const units: SeatCandidate[] = Array.from({ length: 5 }, (_, i) => ({
    seatId: `FLOOR-GA-${i + 1}`,
    section: 'FLOOR',
    row: 'GA',
    number: i + 1,
    kind: 'general',
    tier: 'GA',
    x: 0,
    y: 0,
    free: i !== 0,
  }));

  it('offers free units of the section', () => {
    const picked = bestAvailable(units, { quantity: 4, together: true, stage, section: 'FLOOR', random: first });
    expect(picked).toEqual(['FLOOR-GA-2', 'FLOOR-GA-3', 'FLOOR-GA-4', 'FLOOR-GA-5']);
  });

  it('offers nothing beyond the remaining capacity', () => {
    expect(bestAvailable(units, { quantity: 5, together: true, stage, section: 'FLOOR', random: first })).toBeUndefined();
  });
});

describe('best available, the choices offered to the claim', () => {
  const layoutOf = (seats: SeatCandidate[]) => ({ layout: buildSeatLayout(seats, stage), free: Uint8Array.from(seats, (s) => (s.free ? 1 : 0)) });
  const numbers = (picks: string[][]) => picks.map((p) => p.map((id) => Number(id.split('-')[2])));

  it('starts with the block best available picks, then the next best, no two sharing a seat', () => {
    const { layout, free } = layoutOf([...row('ORCH', 'A', 10, 25), ...row('ORCH', 'B', 20, 25)]);
    const request = { quantity: 4, together: true };
    const picks = bestAvailablePicks(layout, free, request, 8);
    expect(picks[0]).toEqual(bestAvailableIn(layout, free, { ...request, random: first }));
    // Windows of one run slide a seat at a time: the best 8 of them shared seats, and only 2
    // could both be held.
    const seats = picks.flat();
    expect(new Set(seats).size).toBe(seats.length);
    expect(picks).toHaveLength(8);
    expect(numbers(picks.slice(0, 1))).toEqual([[11, 12, 13, 14]]);
    // Best first: row A's blocks (nearer the stage) before row B's.
    const rows = picks.map((p) => (p[0] as string).split('-')[1]);
    expect(rows).toEqual([...rows].sort());
    expect(rows.filter((r) => r === 'A').length).toBeGreaterThanOrEqual(4);
  });

  it('offers only blocks that strand no seat while there are such blocks', () => {
    // Row A: 1-2 and 4-9 free (3 taken): the pair 1-2 strands nothing; 4-5 would strand nothing
    // either, but 5-6 would leave 4 alone.
    const { layout, free } = layoutOf(row('ORCH', 'A', 10, 9, [3]));
    const picks = bestAvailablePicks(layout, free, { quantity: 2, together: true }, 8);
    for (const pick of picks) {
      const [a, b] = pick.map((id) => Number(id.split('-')[2])) as [number, number];
      const after = new Set([1, 2, 4, 5, 6, 7, 8, 9].filter((n) => n !== a && n !== b));
      const lone = [...after].some((n) => !after.has(n - 1) && !after.has(n + 1));
      expect(lone, pick.join(' ')).toBe(false);
    }
    expect(picks.length).toBeGreaterThan(0);
  });

  it('offers one pick of scattered seats, or of standing places, when no block fits', () => {
    const { layout, free } = layoutOf(row('ORCH', 'A', 10, 5, [2, 4]));
    expect(bestAvailablePicks(layout, free, { quantity: 2, together: false, random: first }, 8)).toEqual([bestAvailableIn(layout, free, { quantity: 2, together: false, random: first })]);
    expect(bestAvailablePicks(layout, free, { quantity: 2, together: true }, 8)).toEqual([]);
  });

  it('keeps whole the sides of a block that stranded no seat as picked, and not of one that did', () => {
    const { layout, free } = layoutOf(row('ORCH', 'A', 10, 6));
    const [best] = bestAvailableChoices(layout, free, { quantity: 2, together: true }, 1);
    expect(best).toEqual({ seatIds: ['ORCH-A-3', 'ORCH-A-4'], keepWhole: { left: ['ORCH-A-2', 'ORCH-A-1'], right: ['ORCH-A-5', 'ORCH-A-6'] } });
    // 1-2 taken: the best pair left, 3-4 or 4-5, strands a seat either way (the only blocks): no sides to keep.
    const taken = layoutOf(row('ORCH', 'A', 10, 5, [1, 2]));
    const [only] = bestAvailableChoices(taken.layout, taken.free, { quantity: 2, together: true }, 1);
    expect(only?.keepWhole).toBeUndefined();
  });
});
