/**
 * Where committed seat changes go. The engine publishes each batch after its transaction commits;
 * subscribers (the SSE stream of the live-availability work) receive them per event. The
 * in-process bus fans out within one instance; a Redis bus implementing the same interface fans
 * out across instances (REDIS_URL). Batches carry the database's per-event `seq`, so a subscriber
 * detects a gap and repairs it from the `seat_changes` table (seat-change.repository.ts).
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';

export type SeatChangeListener = (batch: SeatChangeBatch) => void;

export interface SeatChangeSubscription {
  /**
   * Resolves true once every batch published from then on, by any instance, reaches the listener
   * (at once in process; after Redis confirmed the SUBSCRIBE across instances). False when the
   * transport could not confirm it (it reported why and keeps trying): what is missed meanwhile
   * comes from the database, through the sequencer's repair and catch-up. Never rejects.
   */
  ready: Promise<boolean>;
  unsubscribe(): void;
}

export interface SeatChangeBus {
  publish(batch: SeatChangeBatch): void;
  /** Listens to one event's changes; local batches reach the listener at once, before `ready`. */
  subscribe(eventId: string, listener: SeatChangeListener): SeatChangeSubscription;
  /** Why batches of other instances arrive only through the database now (their transport is away); undefined when all is well. */
  degraded?(): string | undefined;
  close(): Promise<void>;
}

const LIVE: Promise<boolean> = Promise.resolve(true);

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
      return {
        ready: LIVE,
        unsubscribe() {
          set.delete(listener);
          if (set.size === 0) listeners.delete(eventId);
        },
      };
    },
    async close() {
      listeners.clear();
    },
  };
}
