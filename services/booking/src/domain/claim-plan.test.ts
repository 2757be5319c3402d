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
    expect(plans[0]).toEqual({ ok: true, seatIds: ['S1', 'S2'] });
    expect(refusal(plans[1])).toBeInstanceOf(SeatsUnavailable);
    expect((refusal(plans[1]) as SeatsUnavailable).fields).toEqual({ unavailable: ['S2'] });
    // The loser took nothing: its other seat is still there for the next one.
    expect(plans[2]).toEqual({ ok: true, seatIds: ['S3'] });
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
});
