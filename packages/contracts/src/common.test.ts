import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { humanText, paginationQuery, queryInteger } from './common.js';

describe('queryInteger', () => {
  it('reads decimal digits, and the fallback when the parameter is absent', () => {
    expect(paginationQuery.parse({})).toEqual({ limit: 20 });
    expect(paginationQuery.parse({ limit: '16' })).toEqual({ limit: 16 });
    expect(paginationQuery.parse({ limit: '007' })).toEqual({ limit: 7 });
    const stamp = z.object({ at: queryInteger(0, Number.MAX_SAFE_INTEGER).optional() });
    expect(stamp.parse({})).toEqual({});
    // Any number of digits: the bounds, not the length, decide.
    expect(stamp.parse({ at: '0000000000000007' })).toEqual({ at: 7 });
    expect(stamp.parse({ at: String(Number.MAX_SAFE_INTEGER) })).toEqual({ at: Number.MAX_SAFE_INTEGER });
    expect(stamp.safeParse({ at: '9007199254740992' }).success).toBe(false);
  });

  it.each(['0x10', '1e1', ' 16 ', '', '+16', '-1', '16.0', '1_6', '٣'])('refuses %j, which Number() would read or round', (text) => {
    const result = paginationQuery.safeParse({ limit: text });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['limit']);
  });

  it('keeps the bounds', () => {
    expect(paginationQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(paginationQuery.safeParse({ limit: '101' }).success).toBe(false);
    expect(paginationQuery.safeParse({ limit: '9999999999999999' }).success).toBe(false);
  });

  it('is documented as an integer with its bounds', () => {
    const limit = z.toJSONSchema(paginationQuery, { io: 'input' }).properties?.['limit'];
    expect(limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(limit).not.toHaveProperty('pattern');
  });
});

describe('humanText', () => {
  it('says one thing of a name with nothing visible in it, spaces or zero-width ones', () => {
    for (const text of ['   ', '', '\u200b\u200b']) {
      const result = humanText(10).safeParse(text);
      expect(result.success, JSON.stringify(text)).toBe(false);
      expect(result.error?.issues.map((issue) => issue.message)).toEqual(['must contain a visible character']);
    }
    expect(humanText(10).parse('  Hall ')).toBe('Hall');
  });
});
