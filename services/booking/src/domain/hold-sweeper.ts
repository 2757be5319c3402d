/**
 * Releases expired holds in the background and publishes their seats as available again. The
 * claim query already treats expired holds as free, so the sweeper is about telling watchers
 * (and tidying), never about correctness.
 *
 * Two clocks drive it. Every `intervalMs` a whole pass releases whatever has run out, whoever made
 * it, and tidies (`alsoEachRun`: refunds, payments, idempotency keys). And the instance that made
 * a hold wakes when it runs out, for a release-only pass: a seat map watching a hold run out shows
 * the seat free within milliseconds, not up to a whole interval later. Only the maker wakes so
 * (several instances do not all race to release each hold); another instance's holds, should it
 * die, are released at the next interval as before. Releases never wait for tidying, which may
 * wait on a payment provider for seconds.
 */
import { performance } from 'node:perf_hooks';
import type { HoldRepository } from '../db/hold.repository.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';
import { coalesced } from './coalesced.js';

export interface HoldSweeperDeps {
  holds: Pick<HoldRepository, 'expired' | 'release'>;
  bus: SeatChangeBus;
  clock: () => number;
  intervalMs: number;
  /** Other periodic tidying, e.g. purging old idempotency keys: once per `intervalMs`. */
  alsoEachRun?: (now: number) => Promise<unknown>;
  onError: (error: unknown) => void;
  /** True while the service cannot sweep yet (its database is still being prepared). */
  paused?: () => boolean;
}

const BATCH = 200;
/**
 * The shortest sleep before a release pass: holds running out one after another (a busy sale) are
 * released in passes at most this often.
 */
export const MIN_SWEEP_GAP_MS = 50;

/**
 * Holds' expiry times (clock ms), soonest first: a sorted array, appended to in the common case
 * (holds made later run out later, but for those cut short by the end of sales). Times passed are
 * skipped by an index and dropped in bulk: a busy sale makes thousands of holds a minute.
 */
function createExpiryQueue() {
  let times: number[] = [];
  let head = 0;
  return {
    add(at: number): void {
      let i = times.length;
      while (i > head && (times[i - 1] as number) > at) i--;
      times.splice(i, 0, at);
    },
    /** Forgets the times up to `at` (their holds were released by a pass that began then). */
    forget(at: number): void {
      while (head < times.length && (times[head] as number) <= at) head++;
      if (head > 1_024 && head * 2 > times.length) {
        times = times.slice(head);
        head = 0;
      }
    },
    soonest(): number | undefined {
      return times[head];
    },
    clear(): void {
      times = [];
      head = 0;
    },
  };
}

export function createHoldSweeper(deps: HoldSweeperDeps) {
  let started = false;
  let interval: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** When the release timer fires, on the process's monotonic clock (the injected clock may jump). */
  let deadline = Infinity;
  const made = createExpiryQueue();

  const release = coalesced(async () => {
    const now = deps.clock();
    let released = 0;
    for (const hold of await deps.holds.expired(now, BATCH)) {
      const result = await deps.holds.release(hold, 'EXPIRED', now);
      if (result?.batch) deps.bus.publish(result.batch);
      if (result) released++;
    }
    return released;
  });
  const tidy = coalesced(async () => {
    await deps.alsoEachRun?.(deps.clock());
    return 0;
  });

  /**
   * Sets the release timer for the soonest hold made here still to run out, at least `minGapMs`
   * from now (`MIN_SWEEP_GAP_MS` after a pass; less when the timer came early and ran none).
   */
  function schedule(minGapMs = MIN_SWEEP_GAP_MS): void {
    if (!started) return;
    const now = deps.clock();
    const at = made.soonest();
    if (at === undefined) return;
    const delay = Math.max(at - now, minGapMs);
    if (performance.now() + delay >= deadline) return;
    clearTimeout(timer);
    deadline = performance.now() + delay;
    timer = setTimeout(() => void wake(), delay);
    timer.unref();
  }

  async function wake(): Promise<void> {
    timer = undefined;
    deadline = Infinity;
    // Whatever ran out by now is the pass's (or, should it fail or not run, the interval's).
    const passFrom = deps.clock();
    // Node starts a timer from the event loop's cached time, so under load it may fire before the
    // clock reaches the hold's end: a pass then would find nothing. Sleep the rest instead.
    const soonest = made.soonest();
    if (soonest !== undefined && soonest > passFrom) {
      schedule(1);
      return;
    }
    try {
      if (!deps.paused?.()) await release();
    } catch (error) {
      deps.onError(error);
    }
    made.forget(passFrom);
    schedule();
  }

  return {
    /** One whole pass: releases, then tidying. Concurrent callers share a pass that starts after they asked. */
    async sweepOnce(): Promise<number> {
      const released = await release();
      await tidy();
      return released;
    },
    /** A hold made here runs out at `expiresAt` (clock time): a release pass then. */
    holdMade(expiresAt: number): void {
      if (!started) return;
      made.add(expiresAt);
      schedule();
    },
    start() {
      started = true;
      interval = setInterval(() => {
        if (deps.paused?.()) return;
        this.sweepOnce().catch(deps.onError);
      }, deps.intervalMs);
      interval.unref();
    },
    async stop() {
      started = false;
      clearInterval(interval);
      clearTimeout(timer);
      timer = undefined;
      deadline = Infinity;
      made.clear();
      await Promise.all([release.idle(), tidy.idle()]);
    },
  };
}
export type HoldSweeper = ReturnType<typeof createHoldSweeper>;
