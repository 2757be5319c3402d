/**
 * A page's hold requests, safe against answers that never come. A request whose answer was lost
 * (the connection dropped, the gateway timed out) may have made a hold: until an answer says how it
 * ended, it is sent again, under its own Idempotency-Key, before any other hold request of the
 * page, and the service answers with the hold it made rather than refusing its seats as taken. Its
 * seats meanwhile count as claimed by this page, not as lost to someone else.
 */
import type { HoldView } from '@stream-seat/contracts';
import { ApiProblem } from './api-problem.js';

/** A hold request's body, as sent (the event and either seat ids or a best-available ask). */
export type HoldRequest = Record<string, unknown>;

/**
 * Sends one hold request under an Idempotency-Key; the hold made (`replayed`: the service's answer
 * to an earlier request under the key, which had made it), or an ApiProblem.
 */
export type PostHold = (body: HoldRequest, idempotencyKey: string) => Promise<{ hold: HoldView; replayed: boolean }>;

export interface HoldMade {
  hold: HoldView;
  /**
   * Made by an earlier request whose answer had been lost, not by the one just asked for: another
   * ask sent before it, or the same one made when first sent (the service replayed it). The same
   * ask sent again that made the hold only now (the first never reached the service) is not.
   */
  earlier: boolean;
}

/** No answer, or one that does not say how the request ended: it may have been carried out. */
export function inconclusive(error: unknown): boolean {
  return !(error instanceof ApiProblem) || error.status === 0 || error.status >= 500 || String(error.body['type'] ?? '').endsWith('/idempotency-in-progress');
}

interface Sent {
  /** The body as JSON: two asks are the same request when their JSON is. */
  json: string;
  key: string;
  seatIds: string[];
}

export function createHoldRequests(post: PostHold, newKey: () => string = () => crypto.randomUUID()) {
  let unanswered: Sent | undefined;
  let inFlight: Sent[] = [];

  return {
    /**
     * Sends `request`, after the unanswered one if any (a hold it made is the buyer's, whatever
     * they asked for since; only once it is known to have made none does `request` go). Throws
     * the last request's problem; an inconclusive one leaves that request unanswered.
     */
    async send(request: HoldRequest): Promise<HoldMade> {
      const asked: Sent = { json: JSON.stringify(request), key: newKey(), seatIds: seatIdsOf(request) };
      const queue = unanswered === undefined ? [asked] : unanswered.json === asked.json ? [unanswered] : [unanswered, asked];
      inFlight = queue;
      try {
        for (const [index, pending] of queue.entries()) {
          try {
            const { hold, replayed } = await post(JSON.parse(pending.json) as HoldRequest, pending.key);
            unanswered = undefined;
            // Before, the same ask sent again after going offline was told "your earlier request went through".
            return { hold, earlier: replayed || pending.json !== asked.json };
          } catch (error) {
            if (inconclusive(error)) {
              unanswered = pending;
              throw error;
            }
            // Answered: that request made no hold. The next one goes, or its problem is the answer.
            unanswered = undefined;
            if (index === queue.length - 1) throw error;
          }
        }
        throw new Error('unreachable: a hold request queue is never empty');
      } finally {
        inFlight = [];
      }
    },
    /** A request is on its way: the live stream may tell of its seats before its answer. */
    get sending(): boolean {
      return inFlight.length > 0;
    },
    /** A request of this page may hold the seat (one on its way, or one whose answer was lost). */
    claims(seatId: string): boolean {
      return inFlight.some((r) => r.seatIds.includes(seatId)) || (unanswered?.seatIds.includes(seatId) ?? false);
    },
  };
}
export type HoldRequests = ReturnType<typeof createHoldRequests>;

function seatIdsOf(request: HoldRequest): string[] {
  const seatIds = request['seatIds'];
  return Array.isArray(seatIds) ? seatIds.filter((id): id is string => typeof id === 'string') : [];
}
