import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { codedTag, encodeBody, preferredCoding } from './content-coding.js';

describe('content codings', () => {
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
