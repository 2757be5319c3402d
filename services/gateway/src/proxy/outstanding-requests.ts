/**
 * Requests sent to each instance and not answered yet, and the order to try instances in: fewest
 * outstanding first, the balancer's turn among equals. A frozen instance (a stopped process, a
 * stalled event loop) answers nothing, so its count grows with each request sent to it, and the
 * next requests go to its peers at once. With the balancer's turn alone, every other request went
 * to it until its lease ran out (10 to 12 s in the probe; longer with the AWS lease settings) and hung there
 * (a hostile probe froze one of two booking instances: completed requests fell to about zero).
 */
import type { InstanceAddress } from '@stream-seat/platform';

export interface OutstandingRequests {
  /** Runs `attempt` against the instance, counted as outstanding until it settles. */
  track<T>(instanceId: string, attempt: () => Promise<T>): Promise<T>;
  count(instanceId: string): number;
  /** `candidates` (in the balancer's turn) ordered by outstanding requests, fewest first; a stable sort. */
  order(candidates: InstanceAddress[]): InstanceAddress[];
}

export function createOutstandingRequests(): OutstandingRequests {
  const counts = new Map<string, number>();
  const count = (instanceId: string) => counts.get(instanceId) ?? 0;
  return {
    async track(instanceId, attempt) {
      counts.set(instanceId, count(instanceId) + 1);
      try {
        return await attempt();
      } finally {
        const left = count(instanceId) - 1;
        if (left > 0) counts.set(instanceId, left);
        else counts.delete(instanceId);
      }
    },
    count,
    order(candidates) {
      if (candidates.length < 2 || counts.size === 0) return candidates;
      return [...candidates].sort((a, b) => count(a.instanceId) - count(b.instanceId));
    },
  };
}
