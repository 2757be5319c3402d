import { describe, expect, it } from 'vitest';
import { SeatsUnavailable, TooManyHolds, UnknownSeats } from './booking-errors.js';
import { type PlannedClaim, planClaims, type SeatState } from './claim-plan.js';

const NOW = 1_000_000;
const free: SeatState = { status: 'AVAILABLE', expiresAt: null };
const seats = (entries: Record<string, SeatState>) => new Map(Object.entries(entries));
/** The error of a refused plan (fails the test when the plan was not refused). */
function refusal(plan: PlannedClaim | undefined): Error {
  if (!plan || plan.ok) throw new Error('expected a refused claim');
  return plan.error;
}
const wish = (buyerId: string, seatIds: string[], maxActiveHolds = 10) => ({ buyerId, seatIds, maxActiveHolds });

describe('planClaims', () => {
  it('gives a seat wanted twice in one batch to the earlier request only', () => {
    const plans = planClaims([wish('a', ['S1', 'S2']), wish('b', ['S2', 'S3']), wish('c', ['S3'])], seats({ S1: free, S2: free, S3: free }), new Map(), NOW);
    expect(plans[0]).toEqual({ ok: true, seatIds: ['S1', 'S2'], choice: 0 });
    expect(refusal(plans[1])).toBeInstanceOf(SeatsUnavailable);
    expect((refusal(plans[1]) as SeatsUnavailable).fields).toEqual({ unavailable: ['S2'] });
    // The loser took nothing: its other seat is still there for the next one.
    expect(plans[2]).toEqual({ ok: true, seatIds: ['S3'], choice: 0 });
  });

  it('counts a buyer’s holds made earlier in the same batch against the limit', () => {
    const plans = planClaims(
      [wish('a', ['S1'], 2), wish('a', ['S2'], 2), wish('a', ['S3'], 2)],
      seats({ S1: free, S2: free, S3: free }),
      new Map([['a', 1]]),
      NOW,
    );
    expect(plans.map((p) => p.ok)).toEqual([true, false, false]);
    expect(refusal(plans[1])).toBeInstanceOf(TooManyHolds);
  });

  it('takes seats of expired holds, never live or booked ones, and refuses unknown seats as bad input', () => {
    const plans = planClaims(
      [wish('a', ['OLD']), wish('b', ['LIVE']), wish('c', ['SOLD']), wish('d', ['NOPE', 'OLD2'])],
      seats({
        OLD: { status: 'HELD', expiresAt: NOW },
        OLD2: { status: 'HELD', expiresAt: NOW - 1 },
        LIVE: { status: 'HELD', expiresAt: NOW + 1 },
        SOLD: { status: 'BOOKED', expiresAt: null },
      }),
      new Map(),
      NOW,
    );
    expect(plans.map((p) => p.ok)).toEqual([true, false, false, false]);
    expect(refusal(plans[1])).toBeInstanceOf(SeatsUnavailable);
    const unknown = refusal(plans[3]);
    expect(unknown).toBeInstanceOf(UnknownSeats);
    expect(unknown).toMatchObject({ status: 400, fields: { errors: [{ field: 'seatIds' }] } });
    expect(unknown.message).toMatch(/^seatIds: no such seats in this event: NOPE;/);
  });

  it('refuses unknown seats as bad input even from a buyer at the limit of holds', () => {
    const [plan] = planClaims([wish('a', ['NOPE'], 1)], seats({}), new Map([['a', 1]]), NOW);
    expect(refusal(plan)).toBeInstanceOf(UnknownSeats);
  });

  it('refuses a best-available block that a block claimed before it (this batch or earlier) now makes strand a seat', () => {
    // A row of 1..6, all free: a takes 3-4, leaving 1-2 and 5-6 (neither alone).
    const row = seats(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`R-${i + 1}`, free])));
    const keep = (left: string[], right: string[]) => ({ left, right });
    const plans = planClaims(
      [
        { ...wish('a', ['R-3', 'R-4']), keepWhole: keep(['R-2', 'R-1'], ['R-5', 'R-6']) },
        // Taken with 3-4 gone, 1-2 leave nothing alone: claimed.
        { ...wish('b', ['R-1', 'R-2']), keepWhole: keep([], []) },
        // 6 alone once 5 is taken: refused, and nothing of it held.
        { ...wish('c', ['R-5']), keepWhole: keep(['R-4', 'R-3'], ['R-6']) },
        // A request without the guard (explicit seats) takes what it names.
        wish('d', ['R-5']),
      ],
      row,
      new Map(),
      NOW,
    );
    expect(plans.map((p) => p.ok)).toEqual([true, true, false, true]);
    expect(refusal(plans[2])).toBeInstanceOf(SeatsUnavailable);
    // Against the seats as read: a neighbour held by someone else counts as not free.
    const held = seats({ 'R-1': free, 'R-2': { status: 'HELD', expiresAt: NOW + 1 }, 'R-3': free, 'R-4': free });
    const alone = planClaims([{ ...wish('e', ['R-3', 'R-4']), keepWhole: keep(['R-2', 'R-1'], []) }], held, new Map(), NOW);
    expect(alone[0]?.ok).toBe(true);
    const strands = planClaims([{ ...wish('e', ['R-3', 'R-4']), keepWhole: keep(['R-2', 'R-1'], []) }], seats({ 'R-1': { status: 'BOOKED', expiresAt: null }, 'R-2': free, 'R-3': free, 'R-4': free }), new Map(), NOW);
    expect(strands[0]?.ok).toBe(false);
  });

  it('gives a best-available request the first of its choices still free, and names no seat when none is', () => {
    const row = seats(Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`R-${i + 1}`, free])));
    const choices = { seatIds: ['R-1'], alternatives: [{ seatIds: ['R-2'] }, { seatIds: ['R-3'] }], bestAvailable: true };
    const plans = planClaims(
      [
        // Four buyers picked from the same view: the same best seat first, then the next ones.
        { ...wish('a', []), ...choices },
        { ...wish('b', []), ...choices },
        { ...wish('c', []), ...choices },
        { ...wish('d', []), ...choices },
        // Named seats have no alternatives: the seat taken is named.
        wish('e', ['R-1']),
      ],
      row,
      new Map(),
      NOW,
    );
    expect(plans.slice(0, 3)).toEqual([
      { ok: true, seatIds: ['R-1'], choice: 0 },
      { ok: true, seatIds: ['R-2'], choice: 1 },
      { ok: true, seatIds: ['R-3'], choice: 2 },
    ]);
    // All taken: refused without naming seats the buyer never asked for.
    const outrun = refusal(plans[3]);
    expect(outrun).toBeInstanceOf(SeatsUnavailable);
    expect((outrun as SeatsUnavailable).fields).toEqual({ unavailable: [] });
    expect(outrun.message).toMatch(/Other buyers were faster/);
    expect((refusal(plans[4]) as SeatsUnavailable).fields).toEqual({ unavailable: ['R-1'] });
  });

  it('skips a choice that would now strand a seat for the next one', () => {
    // 1..5 free; a takes 2. b's first choice, 4, would now leave 3 alone (2 is a's) and 5 at the
    // row's end: refused. Its next, 5, leaves 3-4 together: taken.
    const row = seats(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`R-${i + 1}`, free])));
    const plans = planClaims(
      [
        wish('a', ['R-2']),
        { ...wish('b', ['R-4']), keepWhole: { left: ['R-3', 'R-2'], right: ['R-5'] }, alternatives: [{ seatIds: ['R-5'], keepWhole: { left: ['R-4', 'R-3'], right: [] } }], bestAvailable: true },
      ],
      row,
      new Map(),
      NOW,
    );
    expect(plans[1]).toEqual({ ok: true, seatIds: ['R-5'], choice: 1 });
  });
});
