/**
 * Work by key that concurrent callers share: a caller asking for a key whose work is still running
 * gets that work's promise instead of starting it again (a crowd opening one new seat map waits for
 * one fetch, one render, one compression). The key is forgotten once its work settles, success or not.
 */
export interface InFlight {
  /** `load()`'s promise, or the one still running for `key`. */
  run<T>(key: string, load: () => Promise<T>): Promise<T>;
  has(key: string): boolean;
  /** Keys whose work is running. */
  readonly size: number;
}

export function createInFlight(): InFlight {
  const running = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, load: () => Promise<T>): Promise<T> {
      const known = running.get(key) as Promise<T> | undefined;
      if (known) return known;
      const started = load().finally(() => running.delete(key));
      running.set(key, started);
      return started;
    },
    has: (key) => running.has(key),
    get size() {
      return running.size;
    },
  };
}
