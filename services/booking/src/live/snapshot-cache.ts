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

interface RenderedSnapshot {
  seq: number;
  json: Buffer;
}

/**
 * `load` gives the Availability as JSON bytes (domain/availability.ts), the same object for as
 * long as the seats' states stand: its frame — and that frame's one compression — is made once
 * for it, however many times the cache is refreshed meanwhile.
 */
export function createSnapshotCache(load: (eventId: string) => Promise<RenderedSnapshot>, clock: () => number, maxAgeMs: number) {
  const entries = new Map<string, { at: number; value: Promise<SerializedSnapshot> }>();
  const framed = new WeakMap<RenderedSnapshot, SerializedSnapshot>();

  function snapshotOf(rendered: RenderedSnapshot): SerializedSnapshot {
    let snapshot = framed.get(rendered);
    if (!snapshot) {
      snapshot = { seq: rendered.seq, frame: SseFrame.eventOf('snapshot', rendered.seq, rendered.json) };
      framed.set(rendered, snapshot);
    }
    return snapshot;
  }

  function fresh(eventId: string): Promise<SerializedSnapshot> {
    const value = load(eventId).then(snapshotOf);
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
