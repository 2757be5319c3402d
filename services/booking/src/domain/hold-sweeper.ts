/**
 * Releases expired holds in the background and publishes their seats as available again. The
 * claim query already treats expired holds as free, so the sweeper is about telling watchers
 * (and tidying), never about correctness.
 */
import type { HoldRepository } from '../db/hold.repository.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';

export interface HoldSweeperDeps {
  holds: HoldRepository;
  bus: SeatChangeBus;
  clock: () => number;
  intervalMs: number;
  /** Other periodic tidying, e.g. purging old idempotency keys. */
  alsoEachRun?: (now: number) => Promise<unknown>;
  onError: (error: unknown) => void;
  /** True while the service cannot sweep yet (its database is still being prepared). */
  paused?: () => boolean;
}

const BATCH = 200;

export function createHoldSweeper(deps: HoldSweeperDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function sweepOnce(): Promise<number> {
    const now = deps.clock();
    let released = 0;
    for (const hold of await deps.holds.expired(now, BATCH)) {
      const result = await deps.holds.release(hold, 'EXPIRED', now);
      if (result?.batch) deps.bus.publish(result.batch);
      if (result) released++;
    }
    await deps.alsoEachRun?.(now);
    return released;
  }

  return {
    /** One pass; concurrent callers share the pass in progress. */
    sweepOnce(): Promise<number> {
      running ??= sweepOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
    start() {
      timer = setInterval(() => {
        if (deps.paused?.()) return;
        this.sweepOnce().catch(deps.onError);
      }, deps.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
export type HoldSweeper = ReturnType<typeof createHoldSweeper>;
