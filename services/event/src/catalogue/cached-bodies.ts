/**
 * Large JSON bodies that never change for their ETag (an event's priced seat map, a venue), kept
 * as bytes in the seat-map cache: rendered once however many ask at the same time, compressed
 * once per coding, and each coding kept under its own tag.
 */
import { createHash } from 'node:crypto';
import { type CodedBody, codedTag, type ContentCoding, createCompressor, createInFlight } from '@stream-seat/platform';
import type { SeatMapCache } from './seat-map.cache.js';

/**
 * Compressions under way at once, at most: each holds its body's identity bytes (10 MB for
 * 100,000 seats) and a thread of libuv's pool (four, shared with DNS lookups). Beyond, identity
 * is served.
 */
export const MAX_CONCURRENT_COMPRESSIONS = 2;

/** A strong ETag naming a body's version: a digest of what the version is made of. */
export function bodyTag(version: string): string {
  return `"${createHash('sha256').update(version).digest('base64url').slice(0, 27)}"`;
}

/** One version of a cached body, as a GET answers it (`sendCodedJson`). */
export interface BodyVersion {
  /** The ETag of the identity coding; see codedTag for the others. */
  etag: string;
  cacheControl: string;
  /**
   * The body in the coding asked for, rendered (and compressed) on a cache miss — or as identity,
   * when compressing failed or too many compressions are under way.
   */
  body(coding?: ContentCoding): Promise<CodedBody>;
}

/** Cache-Control of a body anyone may read (caches revalidate each minute), or only its owner. */
export function cacheControlFor(isPublic: boolean): string {
  return isPublic ? 'public, max-age=60, must-revalidate' : 'private, no-cache';
}

/** The bound on compressions at once, to share among caches of bodies. */
export function createBodyCompressor() {
  return createCompressor(MAX_CONCURRENT_COMPRESSIONS);
}

/** Bodies kept in `cache`; compressions run through `compressor`, which other caches may share. */
export function createCachedBodies(cache: SeatMapCache, compressor = createBodyCompressor()) {
  /** Identity renders under way, by ETag; compressions, by coded tag (the compressor's). */
  const rendering = createInFlight();

  async function identity(etag: string, render: () => Promise<Buffer>): Promise<CodedBody> {
    const cached = cache.get(etag);
    if (cached !== undefined) return { coding: 'identity', bytes: cached };
    const bytes = await rendering.run(etag, render);
    cache.set(etag, bytes);
    return { coding: 'identity', bytes };
  }

  return {
    /** The body tagged `etag` in `coding`, from the cache or made by `render` (its identity bytes). */
    async body(etag: string, coding: ContentCoding, render: () => Promise<Buffer>): Promise<CodedBody> {
      if (coding === 'identity') return identity(etag, render);
      const key = codedTag(etag, coding);
      const cached = cache.get(key);
      if (cached !== undefined) return { coding, bytes: cached };
      // Rendered for the compression, and not kept for it: the compressed bytes are what clients
      // that ask for this coding get (the identity bytes are some twenty times their size).
      const encoded = await compressor.compress(key, coding, () => cache.get(etag) ?? rendering.run(etag, render), (bytes) => cache.set(key, bytes));
      // Too many compressions under way, or zlib failed: the body itself can still be sent.
      return encoded ? { coding, bytes: encoded } : identity(etag, render);
    },
  };
}
export type CachedBodies = ReturnType<typeof createCachedBodies>;
