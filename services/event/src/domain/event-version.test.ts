import { describe, expect, it } from 'vitest';
import { eventTag, ifMatchAllows } from './event-version.js';

describe('an event\'s version for If-Match', () => {
  const tag = eventTag(Date.parse('2031-12-06T01:30:45.500Z'));

  it('tags a version with its updatedAt, quoted', () => {
    expect(tag).toBe('"2031-12-06T01:30:45.500Z"');
  });

  it('lets a change go ahead with no header, `*`, or a list naming the version', () => {
    expect(ifMatchAllows(undefined, tag)).toBe(true);
    expect(ifMatchAllows('*', tag)).toBe(true);
    expect(ifMatchAllows(tag, tag)).toBe(true);
    expect(ifMatchAllows(`"2031-12-06T01:30:45.499Z", ${tag}`, tag)).toBe(true);
  });

  it('refuses another version, and a weak tag of this one (compared strongly)', () => {
    expect(ifMatchAllows('"2031-12-06T01:30:45.499Z"', tag)).toBe(false);
    expect(ifMatchAllows(`W/${tag}`, tag)).toBe(false);
  });

  it('names the header when it is not a list of entity tags', () => {
    for (const header of ['2031-12-06T01:30:45.500Z', '', ' , ', '"a"b"', '*, "x"', '"\u0001"']) {
      expect(() => ifMatchAllows(header, tag), header).toThrow(/^if-match: /);
    }
  });
});
