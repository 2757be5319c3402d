/**
 * Snapshots of an event's availability as SSE frames, made once and shared for a moment: a
 * thousand browsers opening the same seat map within a second cost one read of the statuses and
 * one frame (and one compression of it), not a thousand. A snapshot may be slightly behind; the
 * stream route fills the difference from the sequencer's ring (or asks for a fresh one).
 */
import { SseFrame } from '@stream-seat/platform';

export interface SerializedSnapshot {
  seq: number;
  /** The `snapshot` event, encoded once for every client it goes to. */
  frame: SseFrame;
}

/** `load` gives the Availability as JSON bytes (domain/availability.ts). */
export function createSnapshotCache(load: (eventId: string) => Promise<{ seq: number; json: Buffer }>, clock: () => number, maxAgeMs: number) {
  const entries = new Map<string, { at: number; value: Promise<SerializedSnapshot> }>();

  function fresh(eventId: string): Promise<SerializedSnapshot> {
    const value = load(eventId).then(({ seq, json }) => ({ seq, frame: SseFrame.eventOf('snapshot', seq, json) }));
    entries.set(eventId, { at: clock(), value });
    value.catch(() => entries.delete(eventId));
    return value;
  }

  return {
    /** A snapshot at most `maxAgeMs` old, shared with concurrent callers. */
    get(eventId: string): Promise<SerializedSnapshot> {
      const hit = entries.get(eventId);
      if (hit && clock() - hit.at < maxAgeMs) return hit.value;
      // Snapshots can be megabytes: drop the stale ones whenever a new one is made.
      for (const [key, entry] of entries) if (clock() - entry.at >= maxAgeMs) entries.delete(key);
      return fresh(eventId);
    },
    /** A snapshot read now (and shared from now on). */
    fresh,
  };
}
export type SnapshotCache = ReturnType<typeof createSnapshotCache>;
