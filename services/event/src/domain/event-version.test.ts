import { describe, expect, it } from 'vitest';
import { eventTag, ifMatchAllows, parseIfMatch } from './event-version.js';

describe('an event\'s version for If-Match', () => {
  const tag = eventTag(Date.parse('2031-12-06T01:30:45.500Z'));
  const allows = (header: string | undefined) => ifMatchAllows(parseIfMatch(header), tag);

  it('tags a version with its updatedAt, quoted', () => {
    expect(tag).toBe('"2031-12-06T01:30:45.500Z"');
  });

  it('lets a change go ahead with no header, `*`, or a list naming the version', () => {
    expect(allows(undefined)).toBe(true);
    expect(allows('*')).toBe(true);
    expect(allows(tag)).toBe(true);
    expect(allows(`"2031-12-06T01:30:45.499Z", ${tag}`)).toBe(true);
    expect(allows(`"a,b",${tag}`)).toBe(true);
  });

  it('refuses another version, and a weak tag of this one (compared strongly)', () => {
    expect(allows('"2031-12-06T01:30:45.499Z"')).toBe(false);
    expect(allows(`W/${tag}`)).toBe(false);
    // A comma inside quotes is the tag's: not two tags, one of them this version.
    expect(allows(`"x,${tag.slice(1)}`)).toBe(false);
  });

  it('names the header when it is not a list of entity tags', () => {
    for (const header of ['2031-12-06T01:30:45.500Z', '', ' , ', '"a"b"', '*, "x"', '"\u0001"', '"a" "b"', 'W/']) {
      expect(() => parseIfMatch(header), header).toThrow(/^if-match: /);
    }
  });
});
