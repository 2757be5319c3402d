/**
 * Best available: which free seats to offer for a quantity. Seated sections: adjacent seats in
 * one row nearest the stage, never leaving a single orphan seat beside the block when another
 * block exists. General admission: any free units (picked at random so racing buyers collide
 * less). Pure: the caller claims the answer and asks again if someone was faster.
 *
 * It runs on an event's cached layout (seat-layout.ts) and the seats' current free flags, without
 * sorting or allocating per seat: only the few best blocks a pick can land on are kept.
 */
import { buildSeatLayout, type SeatLayout } from './seat-layout.js';
import type { ClaimChoice } from './claim-plan.js';

/** Where a seat (or a unit of general-admission capacity) is, as the inventory keeps it. */
export interface SeatPlace {
  seatId: string;
  section: string;
  row: string;
  number: number;
  kind: 'seated' | 'general';
  tier: string;
  x: number;
  y: number;
}

export interface SeatCandidate extends SeatPlace {
  free: boolean;
}

export interface BestAvailableRequest extends BestAvailableQuery {
  stage: { x: number; y: number };
}

/** What a buyer asks for; the stage is the layout's. */
export interface BestAvailableQuery {
  quantity: number;
  together: boolean;
  section?: string | undefined;
  tier?: string | undefined;
  /**
   * 0 for the very best block; a larger number picks at random among the next-best blocks, or
   * offsets scattered seats (the hold service passes one on each retry: its blocks are offered as
   * several choices instead, see bestAvailableChoices, so only scattered seats and standing places
   * spread out).
   */
  spread?: number;
  random?: () => number;
}

/**
 * A block of adjacent free seats. Blocks rank by orphan, then mean distance, then the order the
 * original list-and-sort produced them in: row by row (a row ranks by its first eligible seat in
 * layout order), left to right.
 */
interface Block {
  seats: number[];
  distance: number;
  leavesOrphan: boolean;
  row: number;
  order: number;
}

function ranksBefore(leavesOrphan: boolean, distance: number, row: number, order: number, b: Block): boolean {
  if (leavesOrphan !== b.leavesOrphan) return !leavesOrphan;
  if (distance !== b.distance) return distance < b.distance;
  if (row !== b.row) return row < b.row;
  return order < b.order;
}

function before(a: Block, b: Block): boolean {
  return ranksBefore(a.leavesOrphan, a.distance, a.row, a.order, b);
}

/** Which seats of the layout a request may have (section and tier filters). */
function matcher(layout: SeatLayout, request: BestAvailableQuery): (i: number) => boolean {
  const { section, tier } = request;
  if (section === undefined && tier === undefined) return () => true;
  return (i) => (section === undefined || layout.section[i] === section) && (tier === undefined || layout.tier[i] === tier);
}

/**
 * The seats beside a block in its row, nearest first, at most two a side: seats the request may
 * have (its section and tier) with adjacent numbers, as blocks are made. The claim checks them
 * again under the event's lock (claim-plan.ts): a block picked from a moment-old view must still
 * leave no lone seat when its seats are taken.
 */
export interface BlockSides {
  left: string[];
  right: string[];
}

export function blockSides(layout: SeatLayout, seatIds: readonly string[], filter: { section?: string | undefined; tier?: string | undefined }): BlockSides | undefined {
  const eligible = matcher(layout, { quantity: 1, together: true, ...filter });
  const indexes = seatIds.map((id) => layout.indexOf(id));
  const first = indexes[0];
  if (first === undefined || indexes.some((i) => i === undefined || layout.seated[i] !== 1)) return undefined;
  const row = layout.rows[layout.rowOf[first] as number];
  if (!row) return undefined;
  // The row's eligible seats, in number order, and where the block lies among them.
  const seats = Array.from(row.seats).filter((i) => eligible(i));
  const adjacent = (a: number, b: number) => Math.abs((layout.number[a] as number) - (layout.number[b] as number)) === 1;
  const at = indexes.map((i) => seats.indexOf(i as number));
  if (at.some((p) => p < 0)) return undefined;
  const start = Math.min(...at);
  const end = Math.max(...at);
  // Seats scattered along the row (best available without a block) are no block: no sides.
  if (end - start + 1 !== new Set(at).size) return undefined;
  for (let p = start + 1; p <= end; p++) if (!adjacent(seats[p] as number, seats[p - 1] as number)) return undefined;
  const side = (from: number, step: number) => {
    const found: string[] = [];
    let previous = seats[from] as number;
    for (let p = from + step; p >= 0 && p < seats.length && found.length < 2; p += step) {
      const seat = seats[p] as number;
      if (!adjacent(seat, previous)) break;
      found.push(layout.seatIds[seat] as string);
      previous = seat;
    }
    return found;
  };
  return { left: side(start, -1), right: side(end, 1) };
}

/**
 * Whether taking a block leaves a lone free seat beside it: on a side, the nearest seat stays free
 * and the one after it is not free (or not there).
 */
export function leavesLoneSeat(sides: BlockSides, isFree: (seatId: string) => boolean): boolean {
  return [sides.left, sides.right].some(([near, far]) => near !== undefined && isFree(near) && (far === undefined || !isFree(far)));
}

/** How many seats (free or not) the section and tier filters leave. */
export function matchingSeats(layout: SeatLayout, filter: { section?: string | undefined; tier?: string | undefined }): number {
  const eligible = matcher(layout, { quantity: 1, together: false, ...filter });
  let count = 0;
  for (let i = 0; i < layout.size; i++) if (eligible(i)) count++;
  return count;
}

/**
 * The best `width` blocks of `quantity` adjacent free seats (in rank order) and how many blocks
 * there are: a pick among the first `width` needs no more.
 */
function bestBlocks(layout: SeatLayout, free: Uint8Array, eligible: (i: number) => boolean, filtered: boolean, quantity: number, width: number) {
  const top: Block[] = [];
  let count = 0;
  let order = 0;
  const run = new Int32Array(layout.longestRow);
  const { distance: distances, number } = layout;
  const flush = (runLength: number, row: number) => {
    for (let start = 0; start + quantity <= runLength; start++) {
      count++;
      order++;
      let sum = 0;
      for (let k = start; k < start + quantity; k++) sum += distances[run[k] as number] as number;
      const right = runLength - (start + quantity);
      const leavesOrphan = start === 1 || right === 1;
      // Most blocks rank below the kept ones: they cost no allocation.
      if (top.length === width && !ranksBefore(leavesOrphan, sum / quantity, row, order, top[width - 1] as Block)) continue;
      const block: Block = { seats: Array.from(run.subarray(start, start + quantity)), distance: sum / quantity, leavesOrphan, row, order };
      let at = top.length;
      while (at > 0 && before(block, top[at - 1] as Block)) at--;
      top.splice(at, 0, block);
      if (top.length > width) top.pop();
    }
  };
  for (const { seats, first } of layout.rows) {
    // The row's rank: its first eligible seat in layout order.
    let row = filtered ? -1 : first;
    if (filtered) {
      for (const i of seats) if (eligible(i) && (row < 0 || i < row)) row = i;
      if (row < 0) continue;
    }
    let runLength = 0;
    let previous = Number.NaN;
    for (const i of seats) {
      if (filtered && !eligible(i)) continue;
      const seatNumber = number[i] as number;
      const adjacent = seatNumber === previous + 1;
      const isFree = free[i] === 1;
      if (!isFree || !adjacent) {
        flush(runLength, row);
        runLength = 0;
      }
      if (isFree) run[runLength++] = i;
      previous = seatNumber;
    }
    flush(runLength, row);
  }
  return { top, count };
}

/** The request's filters on the layout, and whether any seated seat passes them. */
function seatedFilter(layout: SeatLayout, request: BestAvailableQuery) {
  const filtered = request.section !== undefined || request.tier !== undefined;
  const eligible = matcher(layout, request);
  const anySeated = layout.nearest.length > 0 && (!filtered || layout.nearest.some((i) => eligible(i)));
  return { filtered, eligible, anySeated };
}

const idsOf = (layout: SeatLayout, positions: ArrayLike<number>) => Array.from(positions, (i) => layout.seatIds[i] as string);

/**
 * Best available on an event's layout: `free[i]` is 1 when seat `i` is free now. Picks exactly the
 * seats `bestAvailable` picks for the same seats, request and random numbers.
 */
export function bestAvailableIn(layout: SeatLayout, free: Uint8Array, request: BestAvailableQuery): string[] | undefined {
  const random = request.random ?? Math.random;
  const spread = request.spread ?? 0;
  const quantity = request.quantity;
  const { filtered, eligible, anySeated } = seatedFilter(layout, request);
  const ids = (positions: ArrayLike<number>) => idsOf(layout, positions);
  if (anySeated) {
    const { top, count } = bestBlocks(layout, free, eligible, filtered, quantity, 1 + spread);
    if (count > 0) {
      // Spread only among blocks as good as the best on orphans: a retry that lands on a block
      // leaving a lone seat, while one leaving none exists, strands that seat.
      let width = Math.min(count, 1 + spread);
      if (!(top[0] as Block).leavesOrphan) while ((top[width - 1] as Block).leavesOrphan) width--;
      return ids((top[Math.floor(random() * width)] as Block).seats);
    }
    if (!request.together) {
      // The nearest free seats; a pick with this spread needs at most spread + quantity of them.
      const wanted = spread + quantity;
      const nearest: number[] = [];
      for (const i of layout.nearest) {
        if (free[i] === 1 && eligible(i)) {
          nearest.push(i);
          if (nearest.length === wanted) break;
        }
      }
      if (nearest.length >= quantity) {
        const offset = Math.floor(random() * Math.min(spread, nearest.length - quantity + 1));
        return ids(nearest.slice(offset, offset + quantity));
      }
    }
  }
  // General admission: any free units of one section; "together" means nothing for a standing floor.
  const bySection = new Map<string, number[]>();
  for (const i of layout.general) {
    if (free[i] !== 1 || !eligible(i)) continue;
    const section = layout.section[i] as string;
    const units = bySection.get(section);
    if (units) units.push(i);
    else bySection.set(section, [i]);
  }
  for (const units of bySection.values()) {
    if (units.length < quantity) continue;
    const start = Math.floor(random() * (units.length - quantity + 1));
    return ids(units.slice(start, start + quantity));
  }
  return undefined;
}

/** Blocks ranked to find disjoint choices among, at most. */
const MAX_RANKED_BLOCKS = 512;

/**
 * Up to `count` picks for a request, best first, no two sharing a seat: the best blocks (as
 * `bestAvailableIn` ranks them at spread 0, its pick first), only those as good as the best on
 * orphans. Seats without a block (not together, no block left) and general admission are one
 * pick, as `bestAvailableIn` makes it. The claim takes the first still free under the event's
 * lock: a burst of buyers picking from the same view each get the next block, instead of all but
 * one being refused while seats are free. Disjoint, because the best blocks are mostly windows
 * of one run sliding a seat at a time: of the 8 best blocks of 4 in an empty row of 25, only 2
 * could both be held, and bursts of 200 were refused while hundreds of seats were free.
 */
export function bestAvailablePicks(layout: SeatLayout, free: Uint8Array, request: BestAvailableQuery, count: number): string[][] {
  const { filtered, eligible, anySeated } = seatedFilter(layout, request);
  if (anySeated) {
    const quantity = request.quantity;
    // A block overlaps at most 2q - 2 other windows of its run: this many ranked blocks hold
    // `count` disjoint ones (bounded: the ranking's cost grows with it; large blocks get fewer).
    const { top } = bestBlocks(layout, free, eligible, filtered, quantity, Math.min(count * (2 * quantity - 1), MAX_RANKED_BLOCKS));
    const clean = top[0]?.leavesOrphan === false;
    const taken = new Set<number>();
    const picks: string[][] = [];
    for (const block of top) {
      if (picks.length === count || (clean && block.leavesOrphan)) break;
      if (block.seats.some((i) => taken.has(i))) continue;
      for (const i of block.seats) taken.add(i);
      picks.push(idsOf(layout, block.seats));
    }
    if (picks.length > 0) return picks;
  }
  const pick = bestAvailableIn(layout, free, request);
  return pick ? [pick] : [];
}

/**
 * Best available's picks (bestAvailablePicks) as offered to the claim. A block (asked together or
 * not) that leaves no lone seat as the seats are now must still leave none when claimed: the
 * claim refuses it then (its sides are read with it), and takes the next choice.
 */
export function bestAvailableChoices(
  layout: SeatLayout,
  free: Uint8Array,
  request: BestAvailableQuery,
  count: number,
): ClaimChoice[] {
  return bestAvailablePicks(layout, free, request, count).map((seatIds) => {
    const sides = blockSides(layout, seatIds, request);
    const stillFree = (id: string) => !seatIds.includes(id) && free[layout.indexOf(id) ?? -1] === 1;
    return { seatIds, keepWhole: sides && !leavesLoneSeat(sides, stillFree) ? sides : undefined };
  });
}

/** Best available over a list of seats (its order is the layout order). */
export function bestAvailable(candidates: SeatCandidate[], request: BestAvailableRequest): string[] | undefined {
  const free = Uint8Array.from(candidates, (s) => (s.free ? 1 : 0));
  return bestAvailableIn(buildSeatLayout(candidates, request.stage), free, request);
}
