/**
 * Requests sent to each instance and not answered yet, and the order to try instances in: fewest
 * outstanding first, the balancer's turn among equals. A frozen instance (a stopped process, a
 * stalled event loop) answers nothing, so its count grows with each request sent to it, and the
 * next requests go to its peers at once. With the balancer's turn alone, every other request went
 * to it until its lease ran out (10 to 12 s in the probe; longer with the AWS lease settings) and hung there
 * (a hostile probe froze one of two booking instances: completed requests fell to about zero).
 *
 * The count alone still sent the frozen instance a request whenever a busy peer's count reached
 * its stuck one (4 of 904 requests hung under 25 clients in a later probe): an instance that has
 * requests outstanding and has answered none for STALLED_AFTER_MS (a failure — a timeout — is no
 * answer) is tried after every
 * instance that answers. One serving a single long request (a slow payment) and nothing else is
 * tried after its peers too, which costs nothing.
 */
import type { InstanceAddress } from '@stream-seat/platform';

/** An instance with requests outstanding that has answered none for this long is stalled. */
export const STALLED_AFTER_MS = 1_000;

export interface OutstandingRequests {
  /** Runs `attempt` against the instance, counted as outstanding until it settles. */
  track<T>(instanceId: string, attempt: () => Promise<T>): Promise<T>;
  count(instanceId: string): number;
  /** Outstanding requests, none answered for STALLED_AFTER_MS. */
  stalled(instanceId: string): boolean;
  /** `candidates` (in the balancer's turn): stalled ones last, then by outstanding requests, fewest first; a stable sort. */
  order(candidates: InstanceAddress[]): InstanceAddress[];
}

interface Busy {
  count: number;
  /** When a request to it was last answered, or it got its first outstanding one since. */
  heardAt: number;
}

export function createOutstandingRequests(clock: () => number = () => performance.now()): OutstandingRequests {
  const busy = new Map<string, Busy>();
  const count = (instanceId: string) => busy.get(instanceId)?.count ?? 0;
  const stalled = (instanceId: string) => {
    const state = busy.get(instanceId);
    return state !== undefined && clock() - state.heardAt >= STALLED_AFTER_MS;
  };
  return {
    async track(instanceId, attempt) {
      const state = busy.get(instanceId) ?? { count: 0, heardAt: clock() };
      state.count++;
      busy.set(instanceId, state);
      try {
        const answered = await attempt();
        // Heard from: it answered. A request that failed — timed out on a frozen instance, above
        // all — says nothing of the instance's life.
        state.heardAt = clock();
        return answered;
      } finally {
        if (--state.count === 0) busy.delete(instanceId);
      }
    },
    count,
    stalled,
    order(candidates) {
      if (candidates.length < 2 || busy.size === 0) return candidates;
      const isStalled = (i: InstanceAddress) => (stalled(i.instanceId) ? 1 : 0);
      return [...candidates].sort((a, b) => isStalled(a) - isStalled(b) || count(a.instanceId) - count(b.instanceId));
    },
  };
}
