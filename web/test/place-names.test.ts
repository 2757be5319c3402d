import { describe, expect, it } from 'vitest';
import { placeNamesOfEvents } from '../src/place-names.js';
import { smallSeatMap as map } from './small-seat-map.js';

describe('place names of events', () => {
  it('reads each event\'s map once, and asks again after a map that could not be had (naming by id meanwhile)', async () => {
    const reads: string[] = [];
    let failing = true;
    const namesOf = placeNamesOfEvents(async (eventId) => {
      reads.push(eventId);
      if (failing) throw new Error('the catalogue is down');
      return map;
    });
    expect((await namesOf('e1'))('ORCH-A-1')).toBe('ORCH-A-1');
    failing = false;
    expect((await namesOf('e1'))('ORCH-A-1')).toBe('Orchestra, row A, seat 1');
    expect((await namesOf('e1'))('ORCH-A-1')).toBe('Orchestra, row A, seat 1');
    expect(reads).toEqual(['e1', 'e1']);
  });
});
