/**
 * Content codings. Which one to answer with, per the client's `Accept-Encoding` (RFC 9110
 * §12.5.3): q-values, `*`, and an explicit `q=0` that `*` does not overrule; names are
 * case-insensitive. Negotiation by `negotiator` (the jshttp library behind Express).
 *
 * And the codings of large, cached JSON bodies (seat maps: 11 MB for 100,000 seats as identity,
 * about a tenth of that compressed; an event's availability: 2.5 MB). Each coding of a body is a
 * representation of its own, with its own strong ETag (RFC 9110 §8.8.3); responses vary by
 * Accept-Encoding.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import Negotiator from 'negotiator';
import { createInFlight } from './in-flight.js';

/**
 * The coding among `offered` (the server's order of preference, which breaks the client's ties)
 * that the client accepts best; identity when it accepts none of them, or sends no header.
 * (Identity even when the client refused it too: an answer it may not decode beats none.)
 */
export function acceptedCoding<C extends string>(acceptEncoding: string | undefined, offered: readonly C[]): C | 'identity' {
  if (!acceptEncoding) return 'identity';
  const [best] = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encodings([...offered, 'identity'], { preferred: offered });
  return offered.find((coding) => coding === best) ?? 'identity';
}

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** The compressions offered for cached bodies, in the server's order of preference (for a client that likes several alike). */
const COMPRESSIONS = ['br', 'gzip'] as const;

/** The coding to answer with: the client's preferred one we have, else identity. */
export function preferredCoding(acceptEncoding: string | undefined): ContentCoding {
  return acceptedCoding(acceptEncoding, COMPRESSIONS);
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * The body in that coding, compressed off the event loop (zlib's thread pool). Brotli at quality
 * 5: 60 % of gzip's size in under three times its time (`npm run bench -- seatmap`, 20,000 seats:
 * 109 KB in 53 ms, gzip 180 KB in 20 ms); its default quality (11) takes seconds on a large
 * venue's map.
 */
export function encodeBody(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  if (coding === 'br') {
    return brotli(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength },
    });
  }
  if (coding === 'gzip') return gzipped(body);
  return Promise.resolve(body);
}

/** `"tag"` → `"tag-br"`: the ETag of that coding's representation. */
export function codedTag(etag: string, coding: ContentCoding): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

/**
 * Compressions of cached bodies: one per key however many ask for it at once (a crowd opening a
 * new version waits for one compression, not one each), at most `maxConcurrent` under way — each
 * holds its body and a thread of libuv's pool (four, shared with DNS lookups). Beyond, or when
 * zlib fails (out of memory, say), the answer is undefined: the caller sends identity, never
 * queueing behind other compressions. `keep` stores the result, once, before any caller gets it.
 */
export function createCompressor(maxConcurrent: number) {
  const running = createInFlight();
  return {
    async compress(key: string, coding: ContentCoding, identity: () => Buffer | Promise<Buffer>, keep: (encoded: Buffer) => void): Promise<Buffer | undefined> {
      if (!running.has(key) && running.size >= maxConcurrent) return undefined;
      try {
        return await running.run(key, async () => {
          const encoded = await encodeBody(await identity(), coding);
          keep(encoded);
          return encoded;
        });
      } catch {
        return undefined;
      }
    },
  };
}
