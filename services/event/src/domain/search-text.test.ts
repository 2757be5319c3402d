import { describe, expect, it } from 'vitest';
import { eventSearchText, searchKey, searchWords } from './search-text.js';

describe('search text', () => {
  it('folds case and accents beyond ASCII, and compatibility forms', () => {
    expect(searchKey('ÉTÉ Festival')).toBe('ete festival');
    expect(searchKey('Zürich')).toBe('zurich');
    expect(searchKey('ＦＵＬＬ')).toBe('full');
    expect(searchKey('Ǆ')).toBe('dz');
  });

  it('keeps the name and the city apart, so a query does not match across the two', () => {
    const text = eventSearchText('Jazz', 'Lyon');
    expect(text.includes(searchKey('jazz'))).toBe(true);
    expect(text.includes(searchKey('LYON'))).toBe(true);
    expect(text.includes(searchKey('jazzlyon'))).toBe(false);
  });

  it('looks for each word of a query, apart at whitespace and apostrophes of any kind', () => {
    expect(searchWords("  Nuits d'ÉTÉ ")).toEqual(['nuits', 'd', 'ete']);
    expect(searchWords('d’été')).toEqual(['d', 'ete']);
    expect(searchWords('festival \u3000 jazz')).toEqual(['festival', 'jazz']);
    expect(searchWords('AC/DC 100%')).toEqual(['ac/dc', '100%']);
    // Marks alone fold to nothing: no word (the route refuses such a query rather than match everything).
    expect(searchWords('\u0301\u0301')).toEqual([]);
  });
});
