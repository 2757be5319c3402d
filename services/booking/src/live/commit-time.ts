/**
 * Stamps each published batch with the moment it left its committed transaction, so that every
 * subscriber — here or on another instance — can measure commit-to-client delivery lag.
 */
import type { SeatChangeBus } from './seat-change-bus.js';

export function withCommitTime(bus: SeatChangeBus, clock: () => number): SeatChangeBus {
  return {
    publish: (batch) => bus.publish(batch.committedAt ? batch : { ...batch, committedAt: clock() }),
    subscribe: (eventId, listener) => bus.subscribe(eventId, listener),
    degraded: () => bus.degraded?.(),
    close: () => bus.close(),
  };
}
