import type { SeatChangeBatch } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { createInProcessSeatChangeBus } from './seat-change-bus.js';

const batch = (eventId: string, seq: number): SeatChangeBatch => ({ eventId, seq, changes: [{ seatId: 'A-1', status: 'HELD' }] });

describe('the in-process seat change bus', () => {
  it('delivers an event’s batches to its subscribers only, until they unsubscribe', () => {
    const bus = createInProcessSeatChangeBus();
    const seen: number[] = [];
    const other: number[] = [];
    const subscription = bus.subscribe('e1', (b) => seen.push(b.seq));
    bus.subscribe('e2', (b) => other.push(b.seq));
    bus.publish(batch('e1', 1));
    bus.publish(batch('e1', 2));
    subscription.unsubscribe();
    bus.publish(batch('e1', 3));
    expect(seen).toEqual([1, 2]);
    expect(other).toEqual([]);
  });

  it('keeps delivering when a listener throws', () => {
    const errors: unknown[] = [];
    const bus = createInProcessSeatChangeBus((e) => errors.push(e));
    const seen: number[] = [];
    bus.subscribe('e1', () => {
      throw new Error('broken');
    });
    bus.subscribe('e1', (b) => seen.push(b.seq));
    bus.publish(batch('e1', 1));
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(1);
  });
});
