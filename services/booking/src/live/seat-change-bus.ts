/**
 * Where committed seat changes go. The engine publishes each batch after its transaction commits;
 * subscribers (the SSE stream of the live-availability work) receive them per event. The
 * in-process bus fans out within one instance; a Redis bus implementing the same interface fans
 * out across instances (REDIS_URL). Batches carry the database's per-event `seq`, so a subscriber
 * detects a gap and repairs it from the `seat_changes` table (seat-change.repository.ts).
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';

export type SeatChangeListener = (batch: SeatChangeBatch) => void;

export interface SeatChangeBus {
  publish(batch: SeatChangeBatch): void;
  /** Listens to one event's changes; returns the unsubscribe function. */
  subscribe(eventId: string, listener: SeatChangeListener): () => void;
  close(): Promise<void>;
}

export function createInProcessSeatChangeBus(onListenerError?: (error: unknown) => void): SeatChangeBus {
  const listeners = new Map<string, Set<SeatChangeListener>>();
  return {
    publish(batch) {
      for (const listener of listeners.get(batch.eventId) ?? []) {
        try {
          listener(batch);
        } catch (error) {
          // One broken subscriber must not stop the others, nor the request that committed.
          onListenerError?.(error);
        }
      }
    },
    subscribe(eventId, listener) {
      let set = listeners.get(eventId);
      if (!set) {
        set = new Set();
        listeners.set(eventId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(eventId);
      };
    },
    async close() {
      listeners.clear();
    },
  };
}
