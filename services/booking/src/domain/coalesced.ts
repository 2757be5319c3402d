/**
 * Runs a task for whoever asks, never twice at once, and never hands a caller a run that started
 * before it asked (it may have read the database before the caller's change): callers that arrive
 * during a run share the next one (queued, not yet started: joining it is as good as starting one).
 */
export interface Coalesced<T> {
  (): Promise<T>;
  /** Settles once no run is under way or queued, starting none. */
  idle(): Promise<void>;
}

export function coalesced<T>(run: () => Promise<T>): Coalesced<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const current = run().finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  const ask = (): Promise<T> => {
    if (next) return next;
    if (!running) return start();
    next = running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
  return Object.assign(ask, {
    async idle(): Promise<void> {
      while (running ?? next) await (next ?? running)?.catch(() => undefined);
    },
  });
}
