import { describe, expect, it } from 'vitest';
import { acceptedCoding } from './content-coding.js';

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
