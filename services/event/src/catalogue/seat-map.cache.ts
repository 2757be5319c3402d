/** Serialized seat maps by ETag, least recently used evicted first, bounded in bytes. */

export interface SeatMapCache {
  get(tag: string): string | undefined;
  set(tag: string, body: string): void;
  /** Bytes held, for metrics and tests. */
  size(): number;
}

export function createSeatMapCache(maxBytes: number): SeatMapCache {
  const entries = new Map<string, string>();
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
      if (entries.has(tag) || body.length > maxBytes) return;
      entries.set(tag, body);
      bytes += body.length;
      for (const [oldest, value] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(oldest);
        bytes -= value.length;
      }
    },
    size: () => bytes,
  };
}
