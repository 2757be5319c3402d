import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptedCoding, codedTag, createCompressor, encodeBody, preferredCoding } from './content-coding.js';

describe('content coding negotiation', () => {
  const offered = ['br', 'gzip'] as const;
  const cases: Array<[string | undefined, string]> = [
    // The server's preference breaks the client's ties.
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br;q=0.2, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    // An explicit q=0 stands against `*`, wherever it is written.
    ['br;q=0, *', 'gzip'],
    ['*, br;q=0', 'gzip'],
    ['gzip;q=0, br;q=0, *', 'identity'],
    ['gzip;q=0, br;q=0', 'identity'],
    // Case-insensitive names; codings we do not offer.
    ['BR', 'br'],
    ['GZip', 'gzip'],
    ['deflate, zstd', 'identity'],
    ['identity;q=0', 'identity'],
    ['', 'identity'],
    [undefined, 'identity'],
  ];
  it.each(cases)('%j → %s', (header, coding) => {
    expect(acceptedCoding(header, offered)).toBe(coding);
  });

  it('offers only what the caller has', () => {
    expect(acceptedCoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(acceptedCoding('br', ['gzip'])).toBe('identity');
    expect(acceptedCoding('gzip;q=0', ['gzip'])).toBe('identity');
  });
});

describe('codings of cached bodies', () => {
  it("answers in the client's preferred coding we have, br first among equals, identity otherwise", () => {
    expect(preferredCoding('gzip, deflate, br, zstd')).toBe('br');
    expect(preferredCoding('gzip, deflate')).toBe('gzip');
    expect(preferredCoding('br;q=0.2, gzip;q=0.8')).toBe('gzip');
    expect(preferredCoding('br;q=0, *')).toBe('gzip');
    expect(preferredCoding('deflate')).toBe('identity');
    expect(preferredCoding(undefined)).toBe('identity');
  });

  it('encodes a body so that it decodes to the same bytes', async () => {
    const body = Buffer.from(JSON.stringify({ seats: Array.from({ length: 2000 }, (_, i) => ({ id: `S-${i}`, x: i % 50, y: Math.floor(i / 50) })) }));
    expect(brotliDecompressSync(await encodeBody(body, 'br')).equals(body)).toBe(true);
    expect(gunzipSync(await encodeBody(body, 'gzip')).equals(body)).toBe(true);
    expect(await encodeBody(body, 'identity')).toBe(body);
  });

  it('gives each coding its own strong tag', () => {
    expect(codedTag('"abc"', 'identity')).toBe('"abc"');
    expect(codedTag('"abc"', 'br')).toBe('"abc-br"');
    expect(codedTag('"abc"', 'gzip')).toBe('"abc-gzip"');
  });
});

describe('a compressor of cached bodies', () => {
  const body = Buffer.from('x'.repeat(10_000));

  it('compresses a key once for everyone asking at once, keeping the result once', async () => {
    const compressor = createCompressor(2);
    let identities = 0;
    const kept: Buffer[] = [];
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        compressor.compress('v1-gzip', 'gzip', () => {
          identities++;
          return body;
        }, (encoded) => kept.push(encoded)),
      ),
    );
    expect(identities).toBe(1);
    expect(kept).toHaveLength(1);
    for (const answer of answers) expect(answer).toBe(kept[0]);
    expect(gunzipSync(kept[0] as Buffer).equals(body)).toBe(true);
  });

  it('answers undefined rather than start one past its bound, and when zlib fails', async () => {
    const compressor = createCompressor(1);
    const first = compressor.compress('a', 'gzip', () => body, () => undefined);
    expect(await compressor.compress('b', 'gzip', () => body, () => undefined)).toBeUndefined();
    expect(await first).toBeInstanceOf(Buffer);
    expect(await compressor.compress('c', 'gzip', () => Promise.reject(new Error('out of memory')), () => undefined)).toBeUndefined();
  });
});
