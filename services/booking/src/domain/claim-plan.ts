/**
 * Decides, for a batch of hold requests of one event, which ones get their seats: in arrival order,
 * all of a request's seats or none, a seat to one request at most, and no buyer past the limit of
 * active holds; a best-available request takes the first of its choices still free. Works on
 * the seats' states as read under the event's lock; the claim UPDATE then re-checks every seat's
 * state in SQL (see SeatClaimRepository).
 */
import type { SeatStatus } from '../db/schema.js';
import { type BlockSides, leavesLoneSeat } from './best-available.js';
import { SeatsUnavailable, TooManyHolds, UnknownSeats } from './booking-errors.js';

export interface SeatState {
  status: SeatStatus;
  expiresAt: number | null;
}

/** Seats a request would take, and the block sides to keep whole (see ClaimWish). */
export interface ClaimChoice {
  seatIds: string[];
  /**
   * A best-available block that left no lone seat when it was picked: refused if, with the seats
   * as they are now (and those taken earlier in this batch), it would — someone else's block beside
   * it made the difference.
   */
  keepWhole?: BlockSides | undefined;
}

export interface ClaimWish extends ClaimChoice {
  buyerId: string;
  maxActiveHolds: number;
  /**
   * Best available's next choices, best first: the first whose seats are free here is taken when
   * the first choice is not. A burst of buyers picks from the same moment-old view, so most of
   * them had picked the same best block, and all but one were refused while seats were free.
   */
  alternatives?: ClaimChoice[] | undefined;
  /** Best available picked the seats: a refusal names none (the buyer asked for none). */
  bestAvailable?: boolean | undefined;
}

/** Per request: its seats (sorted, distinct) and which choice they are (0 the first), or why it gets none. */
export type PlannedClaim = { ok: true; seatIds: string[]; choice: number } | { ok: false; error: Error };

/** A seat can be claimed when nobody holds it, or when its hold has run out. */
function isClaimable(seat: SeatState, now: number): boolean {
  return seat.status === 'AVAILABLE' || (seat.status === 'HELD' && seat.expiresAt !== null && seat.expiresAt <= now);
}

const outrun = () => new SeatsUnavailable([], 'Other buyers were faster for the seats on offer; nothing was held, try again');

export function planClaims(
  wishes: ClaimWish[],
  /** Every seat the wishes name that exists; a missing one does not exist in this event. */
  seats: ReadonlyMap<string, SeatState>,
  /** Active holds per buyer before this batch. */
  activeHolds: ReadonlyMap<string, number>,
  now: number,
): PlannedClaim[] {
  const takenHere = new Set<string>();
  const holdsHere = new Map<string, number>();
  const claimable = (id: string) => !takenHere.has(id) && seats.has(id) && isClaimable(seats.get(id) as SeatState, now);

  /** Why a choice's seats cannot be had now, or none. */
  function refusalOf(seatIds: string[], keepWhole: BlockSides | undefined): Error | undefined {
    const unavailable = seatIds.filter((id) => !claimable(id));
    if (unavailable.length > 0) return new SeatsUnavailable(unavailable);
    if (keepWhole && leavesLoneSeat(keepWhole, (id) => !seatIds.includes(id) && claimable(id))) return outrun();
    return undefined;
  }

  return wishes.map((wish): PlannedClaim => {
    const seatIds = [...new Set(wish.seatIds)].sort();
    // Bad input whatever the state of the event: a 400, before any limit or seat is looked at.
    const unknown = seatIds.filter((id) => !seats.has(id));
    if (unknown.length > 0) return { ok: false, error: new UnknownSeats(unknown) };
    const held = (activeHolds.get(wish.buyerId) ?? 0) + (holdsHere.get(wish.buyerId) ?? 0);
    // The count includes this hold, as the limit is on the holds a buyer ends up with.
    if (held + 1 > wish.maxActiveHolds) return { ok: false, error: new TooManyHolds(wish.maxActiveHolds) };
    const choices = [{ seatIds, keepWhole: wish.keepWhole }, ...(wish.alternatives ?? []).map((c) => ({ seatIds: [...new Set(c.seatIds)].sort(), keepWhole: c.keepWhole }))];
    let firstRefusal: Error | undefined;
    for (const [choice, { seatIds: ids, keepWhole }] of choices.entries()) {
      const refusal = refusalOf(ids, keepWhole);
      if (refusal) {
        firstRefusal ??= refusal;
        continue;
      }
      for (const id of ids) takenHere.add(id);
      holdsHere.set(wish.buyerId, (holdsHere.get(wish.buyerId) ?? 0) + 1);
      return { ok: true, seatIds: ids, choice };
    }
    return { ok: false, error: wish.bestAvailable ? outrun() : (firstRefusal as Error) };
  });
}
