import type { SeatChangeBatch } from '@stream-seat/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HoldTable } from '../db/schema.js';
import { createInProcessSeatChangeBus } from '../live/seat-change-bus.js';
import { createHoldSweeper, type HoldSweeperDeps } from './hold-sweeper.js';

/** Holds in memory, as the repository keeps them: what the sweeper reads and ends. */
function createHoldStore(clock: () => number) {
  const holds = new Map<string, HoldTable>();
  let seq = 0;
  const repository: HoldSweeperDeps['holds'] = {
    async expired(now, limit) {
      return [...holds.values()].filter((h) => h.status === 'ACTIVE' && h.expires_at <= now).slice(0, limit);
    },
    async release(hold) {
      const stored = holds.get(hold.id);
      if (stored?.status !== 'ACTIVE') return undefined;
      stored.status = 'EXPIRED';
      const batch: SeatChangeBatch = { eventId: 'e1', seq: ++seq, changes: [{ seatId: hold.id, status: 'AVAILABLE' }] };
      return { batch };
    },
  };
  return {
    repository,
    /** A hold of one seat (named as the hold) running out `inMs` from the clock's now. */
    add(id: string, inMs: number): number {
      const expiresAt = clock() + inMs;
      holds.set(id, { id, event_id: 'e1', buyer_id: 'b', seat_ids_json: JSON.stringify([id]), total_cents: 0, currency: 'EUR', status: 'ACTIVE', expires_at: expiresAt, created_at: clock() });
      return expiresAt;
    },
  };
}

describe('hold sweeper', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  function sweeper(store: ReturnType<typeof createHoldStore>, clock: () => number, more: Partial<HoldSweeperDeps> = {}) {
    const bus = createInProcessSeatChangeBus();
    const released: string[] = [];
    bus.subscribe('e1', (batch) => released.push(...batch.changes.map((c) => c.seatId)));
    // This instance's reads of the expired holds: its passes.
    const passes = { count: 0 };
    const holds: HoldSweeperDeps['holds'] = {
      expired: (now, limit) => {
        passes.count++;
        return store.repository.expired(now, limit);
      },
      release: (hold, asked, now) => store.repository.release(hold, asked, now),
    };
    const errors: unknown[] = [];
    const created = createHoldSweeper({ holds, bus, clock, intervalMs: 600_000, onError: (error) => errors.push(error), ...more });
    created.start();
    stops.push(async () => {
      await created.stop();
      expect(errors).toEqual([]);
    });
    return { sweeper: created, released, passes };
  }

  it('releases a hold made here when it runs out, not an interval later', async () => {
    const store = createHoldStore(Date.now);
    const { sweeper: s, released } = sweeper(store, Date.now);
    s.holdMade(store.add('h1', 100));
    await vi.waitFor(() => expect(released).toEqual(['h1']), { timeout: 2_000, interval: 20 });
  });

  it('does not hold a release back behind tidying that waits on a slow provider', async () => {
    const store = createHoldStore(Date.now);
    let finishTidying = () => {};
    const tidying = new Promise<void>((resolve) => (finishTidying = resolve));
    const { sweeper: s, released } = sweeper(store, Date.now, { alsoEachRun: () => tidying });
    const pass = s.sweepOnce();
    s.holdMade(store.add('h1', 100));
    await vi.waitFor(() => expect(released).toEqual(['h1']), { timeout: 2_000, interval: 20 });
    finishTidying();
    await pass;
  });

  it('wakes on time after its clock jumped ahead (a test advancing it, an NTP step)', async () => {
    let offset = 0;
    const clock = () => Date.now() + offset;
    const store = createHoldStore(clock);
    const { sweeper: s, released } = sweeper(store, clock);
    s.holdMade(store.add('far', 3_600_000));
    offset += 2 * 3_600_000;
    s.holdMade(store.add('near', 100));
    await vi.waitFor(() => expect(released.sort()).toEqual(['far', 'near']), { timeout: 2_000, interval: 20 });
  });

  it('wakes only the instance that made the hold: the others wait for their interval', async () => {
    const store = createHoldStore(Date.now);
    const maker = sweeper(store, Date.now);
    const other = sweeper(store, Date.now);
    maker.sweeper.holdMade(store.add('h1', 50));
    await vi.waitFor(() => expect(maker.released).toEqual(['h1']), { timeout: 2_000, interval: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(maker.passes.count).toBe(1);
    expect(other.passes.count).toBe(0);
  });

  it('runs no pass when its timer fires before the clock reaches the hold\'s end (a loaded event loop), and one when it does', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const store = createHoldStore(clock);
    const { sweeper: s, released, passes } = sweeper(store, clock);
    s.holdMade(store.add('h1', 60));
    // The timer fires (more than once) while this clock stands still: the hold has not run out.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(passes.count).toBe(0);
    now += 60;
    await vi.waitFor(() => expect(released).toEqual(['h1']), { timeout: 2_000, interval: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passes.count).toBe(1);
  });

  it('wakes for a hold made after others but running out first (cut short by the end of sales), among thousands', async () => {
    const store = createHoldStore(Date.now);
    const { sweeper: s, released } = sweeper(store, Date.now);
    for (let i = 0; i < 3_000; i++) s.holdMade(store.add(`later-${i}`, 60_000 + i));
    s.holdMade(store.add('soon', 100));
    await vi.waitFor(() => expect(released).toEqual(['soon']), { timeout: 2_000, interval: 20 });
  });

  it('sets no timer once stopped', async () => {
    const store = createHoldStore(Date.now);
    const { sweeper: s, released, passes } = sweeper(store, Date.now);
    await s.stop();
    s.holdMade(store.add('h1', 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passes.count).toBe(0);
    expect(released).toEqual([]);
  });
});
