/**
 * Serialized seat maps by ETag, least recently used evicted first, bounded in bytes. Held as UTF-8
 * buffers so that a warm response is written as is, never encoded again.
 */

export interface SeatMapCache {
  get(tag: string): Buffer | undefined;
  set(tag: string, body: Buffer): void;
  /** Bytes held, for metrics and tests. */
  size(): number;
}

export function createSeatMapCache(maxBytes: number): SeatMapCache {
  const entries = new Map<string, Buffer>();
  let bytes = 0;
  return {
    get(tag) {
      const body = entries.get(tag);
      if (body !== undefined) {
        entries.delete(tag);
        entries.set(tag, body);
      }
      return body;
    },
    set(tag, body) {
      if (entries.has(tag) || body.byteLength > maxBytes) return;
      entries.set(tag, body);
      bytes += body.byteLength;
      for (const [oldest, value] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(oldest);
        bytes -= value.byteLength;
      }
    },
    size: () => bytes,
  };
}
