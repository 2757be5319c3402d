import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { cursorId, cursorTime, decodeCursor, encodeCursor } from './cursor.js';
import { InvalidField } from './errors.js';

describe('pagination cursors', () => {
  const position = z.strictObject({ c: cursorTime, i: cursorId });

  it('gives back the position it encoded', () => {
    expect(decodeCursor(encodeCursor({ c: 1_764_000_000_000, i: 'ord-1' }), position)).toEqual({ c: 1_764_000_000_000, i: 'ord-1' });
    expect(decodeCursor(undefined, position)).toBeUndefined();
  });

  it.each([
    ['another field', { c: 1, i: 'x', admin: true }],
    ['a negative time', { c: -1, i: 'x' }],
    ['a fractional time', { c: 1.5, i: 'x' }],
    ['a time past any date', { c: 1e308, i: 'x' }],
    ['an empty id', { c: 1, i: '' }],
    ['a long id', { c: 1, i: 'x'.repeat(65) }],
    ['a time as text', { c: '1', i: 'x' }],
    // No list issues these: a probe's forged ids had been served a page.
    ['an id with a NUL', { c: 1, i: 'a\u0000' }],
    ['an id of SQL', { c: 1, i: "' OR 1=1 --" }],
    ['an id with a space', { c: 1, i: 'ord 1' }],
  ])('refuses a cursor with %s, naming cursor', (_, value) => {
    const decode = () => decodeCursor(encodeCursor(value), position);
    expect(decode).toThrow(InvalidField);
    expect(decode).toThrow(/^querystring\.cursor: /);
  });

  it('refuses what is not base64url JSON', () => {
    expect(() => decodeCursor('%%%', position)).toThrow(InvalidField);
    expect(() => decodeCursor(Buffer.from('not json').toString('base64url'), position)).toThrow(InvalidField);
  });
});
