/**
 * Values of recently used events, bounded by their total size in seats (the most recent one is
 * kept whatever its size): an event's seat layout, its seat prices. A value is loaded once however
 * many requests ask for it at the same time; a failed load, or one that found nothing, is not kept.
 */
/**
 * Seats kept per cache (layouts; prices): five 100,000-seat venues, or many small ones (a layout is
 * about 15 MB per 100,000 seats).
 */
export const EVENT_CACHE_SEATS = 500_000;

export function createSizedCache<V>(load: (eventId: string) => Promise<V | undefined>, sizeOf: (value: V) => number, maxSize: number) {
  const entries = new Map<string, Promise<V | undefined>>();
  const sizes = new Map<string, number>();
  let total = 0;

  function forget(eventId: string): void {
    entries.delete(eventId);
    total -= sizes.get(eventId) ?? 0;
    sizes.delete(eventId);
  }

  return {
    get(eventId: string): Promise<V | undefined> {
      const cached = entries.get(eventId);
      if (cached) {
        // Most recently used last: eviction takes from the front.
        entries.delete(eventId);
        entries.set(eventId, cached);
        return cached;
      }
      const loading = load(eventId);
      entries.set(eventId, loading);
      loading.then(
        (value) => {
          if (entries.get(eventId) !== loading) return;
          if (value === undefined) {
            entries.delete(eventId);
            return;
          }
          const size = sizeOf(value);
          sizes.set(eventId, size);
          total += size;
          for (const [oldest] of entries) {
            if (total <= maxSize) break;
            if (oldest !== eventId && sizes.has(oldest)) forget(oldest);
          }
        },
        () => {
          if (entries.get(eventId) === loading) entries.delete(eventId);
        },
      );
      return loading;
    },
    /** The cached values' total size (for tests and metrics). */
    size: () => total,
  };
}
