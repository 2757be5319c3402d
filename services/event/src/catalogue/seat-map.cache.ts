/** A least-recently-used cache bounded in bytes: serialized seat maps by ETag, venue templates by venue. */

export interface LruCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  /** Bytes held, for metrics and tests. */
  size(): number;
}

export function createLruCache<V>(maxBytes: number, sizeOf: (value: V) => number): LruCache<V> {
  const entries = new Map<string, V>();
  let bytes = 0;
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      const size = sizeOf(value);
      if (entries.has(key) || size > maxBytes) return;
      entries.set(key, value);
      bytes += size;
      for (const [oldest, old] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(oldest);
        bytes -= sizeOf(old);
      }
    },
    size: () => bytes,
  };
}

/** Serialized seat maps as UTF-8 buffers, so that a warm response is written as is, never encoded again. */
export type SeatMapCache = LruCache<Buffer>;

export function createSeatMapCache(maxBytes: number): SeatMapCache {
  return createLruCache<Buffer>(maxBytes, (body) => body.byteLength);
}
