/**
 * Best available: which free seats to offer for a quantity. Seated sections: adjacent seats in
 * one row nearest the stage, never leaving a single orphan seat beside the block when another
 * block exists. General admission: any free units (picked at random so racing buyers collide
 * less). Pure: the caller claims the answer and asks again if someone was faster.
 */

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

export interface BestAvailableRequest {
  quantity: number;
  together: boolean;
  section?: string | undefined;
  tier?: string | undefined;
  stage: { x: number; y: number };
  /**
   * 0 for the very best block; on a retry after losing a race the caller passes a larger number
   * to pick among the next-best blocks, so that racing buyers spread out instead of colliding.
   */
  spread?: number;
  random?: () => number;
}

interface Block {
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

function adjacentBlocks(seats: SeatCandidate[], quantity: number, stage: { x: number; y: number }): Block[] {
  const rows = new Map<string, SeatCandidate[]>();
  for (const seat of seats) {
    const key = `${seat.section}\u0000${seat.row}`;
    const row = rows.get(key);
    if (row) row.push(seat);
    else rows.set(key, [seat]);
  }
  const blocks: Block[] = [];
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

export function bestAvailable(candidates: SeatCandidate[], request: BestAvailableRequest): string[] | undefined {
  const random = request.random ?? Math.random;
  const spread = request.spread ?? 0;
  const eligible = candidates.filter(
    (s) =>
      (request.section === undefined || s.section === request.section) &&
      (request.tier === undefined || s.tier === request.tier),
  );
  const seated = eligible.filter((s) => s.kind === 'seated');
  if (seated.length > 0) {
    const block = pick(adjacentBlocks(seated, request.quantity, request.stage), spread, random);
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
