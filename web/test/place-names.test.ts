import type { SeatMap } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { placeNamesOfEvents } from '../src/place-names.js';

const map = {
  eventId: 'e1',
  venueId: 'v1',
  currency: 'EUR',
  bounds: { width: 100, height: 100 },
  stage: { x: 50, y: 0 },
  sections: [{ id: 'ORCH', name: 'Orchestra', tier: 'A', priceCents: 5000, kind: 'seated', capacity: 1 }],
  seats: [{ id: 'ORCH-A-1', section: 'ORCH', row: 'A', number: 1, x: 10, y: 10, tier: 'A', priceCents: 5000 }],
} satisfies SeatMap;

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
