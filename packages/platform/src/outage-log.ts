/**
 * What a dependency's outage leaves in the log: its first failure with the error, then the latest
 * once per interval with how many failed and for how long — however the wording changes (an
 * outage says ECONNREFUSED, then ETIMEDOUT, then …) — and its end once. A line per failure had
 * buried everything else: a poll's stack trace every few hundred ms, a warning per publish.
 */
export const OUTAGE_LOG_INTERVAL_MS = 60_000;

export interface OutageLogOptions {
  /** A failure worth a line: the first of an outage, then the latest once per interval. */
  onFailing: (error: unknown, outage: { failures: number; failingForMs: number }) => void;
  /** The first success after failures. */
  onRecovered: (outage: { failures: number; failedForMs: number }) => void;
  clock?: () => number;
  intervalMs?: number;
}

export interface OutageLog {
  failed(error: unknown): void;
  succeeded(): void;
  /** An outage is under way (failures since the last success). */
  readonly failing: boolean;
}

export function createOutageLog(options: OutageLogOptions): OutageLog {
  const clock = options.clock ?? Date.now;
  const intervalMs = options.intervalMs ?? OUTAGE_LOG_INTERVAL_MS;
  let outage: { since: number; loggedAt: number; failures: number } | undefined;
  return {
    failed(error) {
      const now = clock();
      if (outage) {
        outage.failures++;
        if (now - outage.loggedAt < intervalMs) return;
        outage.loggedAt = now;
      } else {
        outage = { since: now, loggedAt: now, failures: 1 };
      }
      options.onFailing(error, { failures: outage.failures, failingForMs: now - outage.since });
    },
    succeeded() {
      if (!outage) return;
      const { failures, since } = outage;
      outage = undefined;
      options.onRecovered({ failures, failedForMs: clock() - since });
    },
    get failing() {
      return outage !== undefined;
    },
  };
}
