/**
 * Holds whose claim's COMMIT went unanswered (the connection to MySQL dropped after the server got
 * it): the buyer heard a 503 — nothing was held — yet the claim may have committed, leaving a hold
 * they cannot see (no route lists one's holds) on seats nobody else can take, counted against
 * their limit. Each sweep looks for those that did commit and releases them, making the 503 true;
 * one is forgotten once it was checked, or once it would have run out anyway.
 */
import type { HoldRepository } from '../db/hold.repository.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';

export interface UnconfirmedHoldsDeps {
  holds: Pick<HoldRepository, 'find' | 'release'>;
  bus: SeatChangeBus;
}

export function createUnconfirmedHolds(deps: UnconfirmedHoldsDeps) {
  /** Hold id → when it would run out. Only claims whose COMMIT was in flight when a connection dropped. */
  const pending = new Map<string, number>();
  return {
    add(holdId: string, expiresAt: number): void {
      pending.set(holdId, expiresAt);
    },

    /** Releases those that committed; how many. A database still away ends the pass (the rest wait). */
    async releaseCommitted(now: number): Promise<number> {
      let released = 0;
      for (const [holdId, expiresAt] of [...pending]) {
        if (expiresAt > now) {
          const hold = await deps.holds.find(holdId);
          if (hold?.status === 'ACTIVE') {
            const result = await deps.holds.release(hold, 'RELEASED', now);
            if (result?.batch) deps.bus.publish(result.batch);
            if (result) released++;
          }
        }
        pending.delete(holdId);
      }
      return released;
    },
  };
}
export type UnconfirmedHolds = ReturnType<typeof createUnconfirmedHolds>;
