/**
 * Releases expired holds in the background and publishes their seats as available again. The
 * claim query already treats expired holds as free, so the sweeper is about telling watchers
 * (and tidying), never about correctness.
 *
 * It wakes when the next hold runs out (read from the database after each pass, and told of each
 * hold this instance makes), not only every `intervalMs`: a seat map watching a hold run out
 * shows the seat free within milliseconds, not after up to a whole interval (5 s by default). The
 * interval still bounds every sleep — holds made on other instances are seen at the latest then —
 * and paces the other tidying, which a wake for an expiry does not run.
 */
import type { HoldRepository } from '../db/hold.repository.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';

export interface HoldSweeperDeps {
  holds: HoldRepository;
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
 * The shortest sleep: holds running out one after another (a busy sale) are released in passes at
 * most this often, and a timer that fires a millisecond early costs one more pass, not a spin.
 */
export const MIN_SWEEP_GAP_MS = 50;

interface Pass {
  tidy: boolean;
  done: Promise<number>;
}

export function createHoldSweeper(deps: HoldSweeperDeps) {
  let timer: NodeJS.Timeout | undefined;
  /** When the timer fires, on `deps.clock`. */
  let wakeAt = Infinity;
  let started = false;
  let lastTidy = -Infinity;
  let running: Pass | undefined;

  async function sweep(tidy: boolean): Promise<number> {
    const now = deps.clock();
    let released = 0;
    for (const hold of await deps.holds.expired(now, BATCH)) {
      const result = await deps.holds.release(hold, 'EXPIRED', now);
      if (result?.batch) deps.bus.publish(result.batch);
      if (result) released++;
    }
    if (tidy) {
      lastTidy = now;
      await deps.alsoEachRun?.(now);
    }
    return released;
  }

  /** Joins the pass under way when it does as much; otherwise runs one after it (never two at once). */
  function pass(tidy: boolean): Promise<number> {
    if (running && (running.tidy || !tidy)) return running.done;
    const previous = running?.done.catch(() => 0) ?? Promise.resolve(0);
    const current: Pass = {
      tidy,
      done: previous
        .then(() => sweep(tidy))
        .finally(() => {
          if (running === current) running = undefined;
        }),
    };
    running = current;
    return current.done;
  }

  /** Sets the timer for `at` (clock time) unless it already fires sooner; never beyond one interval. */
  function wakeBy(at: number): void {
    if (!started) return;
    const now = deps.clock();
    const delay = Math.min(Math.max(at - now, MIN_SWEEP_GAP_MS), deps.intervalMs);
    if (now + delay >= wakeAt) return;
    clearTimeout(timer);
    wakeAt = now + delay;
    timer = setTimeout(wake, delay);
    timer.unref();
  }

  async function wake(): Promise<void> {
    timer = undefined;
    wakeAt = Infinity;
    const now = deps.clock();
    if (deps.paused?.()) return wakeBy(now + deps.intervalMs);
    try {
      await pass(now - lastTidy >= deps.intervalMs);
      wakeBy(Math.min((await deps.holds.nextExpiry()) ?? Infinity, lastTidy + deps.intervalMs));
    } catch (error) {
      deps.onError(error);
      wakeBy(deps.clock() + deps.intervalMs);
    }
  }

  return {
    /** One whole pass (releases and tidying); concurrent callers share the pass in progress. */
    sweepOnce(): Promise<number> {
      return pass(true);
    },
    /** A hold made here runs out at `expiresAt`: wake then if not sooner. */
    expiresAt(expiresAt: number): void {
      wakeBy(expiresAt);
    },
    start() {
      started = true;
      lastTidy = deps.clock();
      wakeBy(lastTidy + deps.intervalMs);
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      timer = undefined;
      wakeAt = Infinity;
      await running?.done.catch(() => undefined);
    },
  };
}
export type HoldSweeper = ReturnType<typeof createHoldSweeper>;
