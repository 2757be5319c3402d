/**
 * Best available on cached layouts picks exactly what the list-and-sort it replaced picked: the
 * original algorithm is kept here as the reference, and both run on the same seats, requests and
 * random numbers — a 100,000-seat venue (the largest the catalogue allows) whose seats are taken
 * hold by hold, and thousands of small random venues with ties, gaps, mixed tiers and standing
 * sections.
 */
import { describe, expect, it } from 'vitest';
import { type BestAvailableRequest, bestAvailable, bestAvailableIn, type SeatCandidate } from './best-available.js';
import { buildSeatLayout } from './seat-layout.js';

/** A deterministic random source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byId = (a: SeatCandidate, b: SeatCandidate) => (a.seatId < b.seatId ? -1 : a.seatId > b.seatId ? 1 : 0);

/** 200 rows of 500 seats (tier B at both ends of each row, ORCH then BALC) and a standing FLOOR, listed by seat id as the database does. */
function largeVenue(): SeatCandidate[] {
  const seats: SeatCandidate[] = [];
  for (let r = 0; r < 200; r++) {
    const row = `R${r}`;
    const section = r < 100 ? 'ORCH' : 'BALC';
    for (let n = 1; n <= 500; n++) {
      seats.push({ seatId: `${section}-${row}-${n}`, section, row, number: n, kind: 'seated', tier: n <= 60 || n > 440 ? 'B' : 'A', x: n * 10, y: 10 + r * 10, free: true });
    }
  }
  for (let n = 1; n <= 2000; n++) seats.push({ seatId: `FLOOR-GA-${n}`, section: 'FLOOR', row: 'GA', number: n, kind: 'general', tier: 'GA', x: 0, y: 0, free: true });
  return seats.sort(byId);
}

const FILTERS: Array<Pick<BestAvailableRequest, 'section' | 'tier'>> = [{}, {}, {}, { section: 'ORCH' }, { section: 'BALC' }, { tier: 'A' }, { tier: 'B' }, { section: 'ORCH', tier: 'B' }, { section: 'FLOOR' }, { tier: 'GA' }];

function randomRequest(random: () => number, stage: { x: number; y: number }, maxQuantity: number): Omit<BestAvailableRequest, 'random'> {
  return {
    quantity: 1 + Math.floor(random() * maxQuantity),
    together: random() < 0.5,
    ...FILTERS[Math.floor(random() * FILTERS.length)],
    stage,
    spread: 4 * Math.floor(random() * 8),
  };
}

/** Runs both on the same request with the same random numbers. */
function both(seats: SeatCandidate[], request: Omit<BestAvailableRequest, 'random'>, seed: number) {
  return {
    expected: referenceBestAvailable(seats, { ...request, random: seeded(seed) }),
    actual: bestAvailable(seats, { ...request, random: seeded(seed) }),
  };
}

describe('best available on a layout picks what the original algorithm picked', () => {
  it('on a 100,000-seat venue, hold after hold, with filters, spreads and seats taken', () => {
    const seats = largeVenue();
    expect(seats.filter((s) => s.kind === 'seated')).toHaveLength(100_000);
    const stage = { x: 2505, y: 0 };
    const layout = buildSeatLayout(seats, stage);
    const free = Uint8Array.from(seats, () => 1);
    const random = seeded(7);
    // Scattered seats taken first, so that runs have gaps and blocks leave orphans.
    for (let i = 0; i < seats.length; i++) {
      if (random() < 0.2) {
        (seats[i] as SeatCandidate).free = false;
        free[i] = 0;
      }
    }
    const position = new Map(seats.map((s, i) => [s.seatId, i]));
    let picked = 0;
    for (let n = 0; n < 60; n++) {
      const request = randomRequest(random, stage, 10);
      const seed = Math.floor(random() * 1e9);
      const expected = referenceBestAvailable(seats, { ...request, random: seeded(seed) });
      // The layout is built once, as the cache keeps it; only the free flags change.
      expect(bestAvailableIn(layout, free, { ...request, random: seeded(seed) }), JSON.stringify(request)).toEqual(expected);
      for (const id of expected ?? []) {
        const i = position.get(id) as number;
        (seats[i] as SeatCandidate).free = false;
        free[i] = 0;
        picked++;
      }
    }
    expect(picked).toBeGreaterThan(100);
  });

  it('on a nearly full large venue (few blocks left, scattered seats, the standing floor)', () => {
    const seats = largeVenue();
    const random = seeded(11);
    for (const seat of seats) seat.free = random() < 0.03;
    const stage = { x: 2505, y: 0 };
    for (let n = 0; n < 20; n++) {
      const { expected, actual } = both(seats, randomRequest(random, stage, 6), n);
      expect(actual).toEqual(expected);
    }
  });

  it('on thousands of small random venues: ties, gaps, repeated numbers, mixed tiers, listing order', () => {
    const random = seeded(3);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)] as T;
    for (let venue = 0; venue < 3000; venue++) {
      const seats: SeatCandidate[] = [];
      const rows = 1 + Math.floor(random() * 4);
      for (let r = 0; r < rows; r++) {
        const section = pick(['ORCH', 'BALC']);
        const length = Math.floor(random() * 12);
        let number = 1;
        for (let k = 0; k < length; k++) {
          // Mostly consecutive; sometimes a gap or the same number again.
          number += pick([1, 1, 1, 1, 2, 0]);
          seats.push({ seatId: `${section}-${r}-${k}`, section, row: String(r), number, kind: 'seated', tier: pick(['A', 'A', 'B']), x: Math.floor(random() * 5), y: Math.floor(random() * 3), free: random() < 0.7 });
        }
      }
      const units = Math.floor(random() * 6);
      for (let k = 0; k < units; k++) seats.push({ seatId: `${pick(['FLOOR', 'PIT'])}-GA-${k}`, section: pick(['FLOOR', 'PIT']), row: 'GA', number: k + 1, kind: 'general', tier: 'GA', x: 0, y: 0, free: random() < 0.7 });
      // Any listing order: ties are broken by it.
      for (let i = seats.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [seats[i], seats[j]] = [seats[j] as SeatCandidate, seats[i] as SeatCandidate];
      }
      const filter = pick<Pick<BestAvailableRequest, 'section' | 'tier'>>([{}, {}, { section: 'ORCH' }, { tier: 'B' }, { section: 'BALC', tier: 'A' }, { section: 'PIT' }]);
      const request = { quantity: 1 + Math.floor(random() * 4), together: random() < 0.5, ...filter, stage: { x: 2, y: 0 }, spread: pick([0, 0, 4, 8, 28]) };
      const { expected, actual } = both(seats, request, venue);
      expect(actual, JSON.stringify({ seats, request })).toEqual(expected);
    }
  });
});

// The algorithm as it was before layouts (commit 120af01), verbatim: the reference.
interface ReferenceBlock {
  seatIds: string[];
  distance: number;
  leavesOrphan: boolean;
}

function distance(seat: SeatCandidate, stage: { x: number; y: number }): number {
  return Math.hypot(seat.x - stage.x, seat.y - stage.y);
}

/** Runs of free seats with consecutive numbers in one row. */
function freeRuns(row: SeatCandidate[]): SeatCandidate[][] {
  const runs: SeatCandidate[][] = [];
  let run: SeatCandidate[] = [];
  let previous: SeatCandidate | undefined;
  for (const seat of row) {
    const adjacent = previous !== undefined && seat.number === previous.number + 1;
    if (!seat.free || !adjacent) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
    if (seat.free) run.push(seat);
    previous = seat;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function adjacentBlocks(seats: SeatCandidate[], quantity: number, stage: { x: number; y: number }): ReferenceBlock[] {
  const rows = new Map<string, SeatCandidate[]>();
  for (const seat of seats) {
    const key = `${seat.section}\u0000${seat.row}`;
    const row = rows.get(key);
    if (row) row.push(seat);
    else rows.set(key, [seat]);
  }
  const blocks: ReferenceBlock[] = [];
  for (const row of rows.values()) {
    row.sort((a, b) => a.number - b.number);
    for (const run of freeRuns(row)) {
      for (let start = 0; start + quantity <= run.length; start++) {
        const block = run.slice(start, start + quantity);
        const left = start;
        const right = run.length - (start + quantity);
        blocks.push({
          seatIds: block.map((s) => s.seatId),
          distance: block.reduce((sum, s) => sum + distance(s, stage), 0) / quantity,
          leavesOrphan: left === 1 || right === 1,
        });
      }
    }
  }
  return blocks.sort((a, b) => Number(a.leavesOrphan) - Number(b.leavesOrphan) || a.distance - b.distance);
}

function pick<T>(items: T[], spread: number, random: () => number): T | undefined {
  if (items.length === 0) return undefined;
  const width = Math.min(items.length, 1 + spread);
  return items[Math.floor(random() * width)];
}

function referenceBestAvailable(candidates: SeatCandidate[], request: BestAvailableRequest): string[] | undefined {
  const random = request.random ?? Math.random;
  const spread = request.spread ?? 0;
  const eligible = candidates.filter(
    (s) =>
      (request.section === undefined || s.section === request.section) &&
      (request.tier === undefined || s.tier === request.tier),
  );
  const seated = eligible.filter((s) => s.kind === 'seated');
  if (seated.length > 0) {
    const blocks = adjacentBlocks(seated, request.quantity, request.stage);
    // A spread never reaches a block leaving an orphan while one leaving none exists.
    const block = pick(blocks[0]?.leavesOrphan === false ? blocks.filter((b) => !b.leavesOrphan) : blocks, spread, random);
    if (block) return block.seatIds;
    if (!request.together) {
      const nearest = seated.filter((s) => s.free).sort((a, b) => distance(a, request.stage) - distance(b, request.stage));
      if (nearest.length >= request.quantity) {
        const offset = Math.floor(random() * Math.min(spread, nearest.length - request.quantity + 1));
        return nearest.slice(offset, offset + request.quantity).map((s) => s.seatId);
      }
    }
  }
  // General admission: any free units of one section; "together" means nothing for a standing floor.
  const general = eligible.filter((s) => s.kind === 'general' && s.free);
  const bySection = new Map<string, SeatCandidate[]>();
  for (const unit of general) {
    const units = bySection.get(unit.section);
    if (units) units.push(unit);
    else bySection.set(unit.section, [unit]);
  }
  for (const units of bySection.values()) {
    if (units.length < request.quantity) continue;
    const start = Math.floor(random() * (units.length - request.quantity + 1));
    return units.slice(start, start + request.quantity).map((s) => s.seatId);
  }
  return undefined;
}
