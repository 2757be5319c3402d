/**
 * Decides, for a batch of hold requests of one event, which ones get their seats: in arrival order,
 * all of a request's seats or none, a seat to one request at most, and no buyer past the limit of
 * active holds. Works on the seats' states as read under the event's lock; the claim UPDATE then
 * re-checks every seat's state in SQL (see SeatClaimRepository).
 */
import type { SeatStatus } from '../db/schema.js';
import { type BlockSides, leavesLoneSeat } from './best-available.js';
import { SeatsUnavailable, TooManyHolds, UnknownSeats } from './booking-errors.js';

export interface SeatState {
  status: SeatStatus;
  expiresAt: number | null;
}

export interface ClaimWish {
  buyerId: string;
  seatIds: string[];
  maxActiveHolds: number;
  /**
   * A best-available block that left no lone seat when it was picked: refused if, with the seats
   * as they are now (and those taken earlier in this batch), it would — someone else's block beside
   * it made the difference. The caller picks again.
   */
  keepWhole?: BlockSides | undefined;
}

/** Per request: its seats (sorted, distinct), or why it gets none. */
export type PlannedClaim = { ok: true; seatIds: string[] } | { ok: false; error: Error };

/** A seat can be claimed when nobody holds it, or when its hold has run out. */
function isClaimable(seat: SeatState, now: number): boolean {
  return seat.status === 'AVAILABLE' || (seat.status === 'HELD' && seat.expiresAt !== null && seat.expiresAt <= now);
}

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
  return wishes.map((wish): PlannedClaim => {
    const seatIds = [...new Set(wish.seatIds)].sort();
    // Bad input whatever the state of the event: a 400, before any limit or seat is looked at.
    const unknown = seatIds.filter((id) => !seats.has(id));
    if (unknown.length > 0) return { ok: false, error: new UnknownSeats(unknown) };
    const held = (activeHolds.get(wish.buyerId) ?? 0) + (holdsHere.get(wish.buyerId) ?? 0);
    // The count includes this hold, as the limit is on the holds a buyer ends up with.
    if (held + 1 > wish.maxActiveHolds) return { ok: false, error: new TooManyHolds(wish.maxActiveHolds) };
    // Every seat exists here (unknown ones returned above).
    const unavailable = seatIds.filter((id) => takenHere.has(id) || !isClaimable(seats.get(id) as SeatState, now));
    if (unavailable.length > 0) return { ok: false, error: new SeatsUnavailable(unavailable) };
    if (wish.keepWhole) {
      const free = (id: string) => !takenHere.has(id) && !seatIds.includes(id) && seats.has(id) && isClaimable(seats.get(id) as SeatState, now);
      if (leavesLoneSeat(wish.keepWhole, free)) {
        return { ok: false, error: new SeatsUnavailable([], 'Other buyers were faster for the seats on offer; nothing was held, try again') };
      }
    }
    for (const id of seatIds) takenHere.add(id);
    holdsHere.set(wish.buyerId, (holdsHere.get(wish.buyerId) ?? 0) + 1);
    return { ok: true, seatIds };
  });
}
