/**
 * Holds for one event that arrive while that event's claim transaction runs wait, and are claimed
 * together in the next one: one inventory lock, one seq update and one commit (one fsync) serve
 * many holds, instead of every hold queueing for the event's row lock and paying its own commit.
 * Each hold still succeeds or fails on its own (see SeatClaimRepository).
 */
import type { ClaimOutcome, ClaimRequest, ClaimResult } from '../db/seat-claim.repository.js';

export interface SeatClaimer {
  claim(request: ClaimRequest): Promise<ClaimResult>;
}

interface Waiting {
  request: ClaimRequest;
  resolve(result: ClaimResult): void;
  reject(error: unknown): void;
}

/** More would make one transaction hold the event's lock (and its holds' answers) for long. */
export const MAX_CLAIMS_PER_BATCH = 200;

/** Lets the requests that arrived meanwhile (parsed in this turn of the event loop) join. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

export function createClaimBatcher(
  claimBatch: (eventId: string, requests: ClaimRequest[]) => Promise<ClaimOutcome[]>,
  maxBatch = MAX_CLAIMS_PER_BATCH,
): SeatClaimer {
  /** Per event with claims in flight: the ones waiting for the next transaction. */
  const queues = new Map<string, Waiting[]>();

  async function drain(eventId: string, queue: Waiting[]): Promise<void> {
    await nextTurn();
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const outcomes = await claimBatch(eventId, batch.map((w) => w.request));
        // Answered in batch order, which is seq order: the live stream is published in order.
        batch.forEach((waiting, i) => {
          const outcome = outcomes[i];
          if (outcome?.ok) waiting.resolve(outcome.value);
          else waiting.reject(outcome?.error ?? new Error('claim batch returned no outcome'));
        });
      } catch (error) {
        // The transaction itself failed (database down, deadlock retries spent): nothing was held —
        // unless only the COMMIT's answer was lost: then the holds are checked later (unconfirmed-holds.ts).
        for (const waiting of batch) waiting.reject(error);
      }
      if (queue.length > 0) await nextTurn();
    }
    queues.delete(eventId);
  }

  return {
    claim(request) {
      return new Promise<ClaimResult>((resolve, reject) => {
        const queue = queues.get(request.eventId);
        if (queue) {
          queue.push({ request, resolve, reject });
          return;
        }
        const fresh: Waiting[] = [{ request, resolve, reject }];
        queues.set(request.eventId, fresh);
        void drain(request.eventId, fresh);
      });
    },
  };
}
