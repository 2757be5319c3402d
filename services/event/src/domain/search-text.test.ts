import { describe, expect, it } from 'vitest';
import { eventSearchText, searchKey } from './search-text.js';

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
});
