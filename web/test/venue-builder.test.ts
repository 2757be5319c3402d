import { sectionId, venueLayout } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { placeCount, rowLabels, sectionIds, venueLayoutOf, type SectionDraft } from '../src/venue-builder.js';

describe('the venue builder', () => {
  it('labels rows A to Z, then AA, AB … as far as the API allows (500 rows)', () => {
    expect(rowLabels(3)).toEqual(['A', 'B', 'C']);
    const many = rowLabels(500);
    expect(many.slice(25, 28)).toEqual(['Z', 'AA', 'AB']);
    expect(many.at(-1)).toBe('SF');
    expect(new Set(many).size).toBe(500);
  });

  it('makes section ids from names, unique, and from the place when a name has no Latin letter', () => {
    expect(sectionIds(['Orchestra', 'Orchestra', 'Été balcony', 'Ложа', 'A very long section name indeed'])).toEqual(['ORCHESTRA', 'ORCHESTRA2', 'ETEBALCONY', 'S4', 'AVERYLONGSECTION']);
  });

  it('keeps every id within the API\'s 16 characters, the number included, however many sections share a name', () => {
    const ids = sectionIds(Array.from({ length: 200 }, () => 'Balcony Level Left'));
    expect(ids.slice(0, 3)).toEqual(['BALCONYLEVELLEFT', 'BALCONYLEVELLEF2', 'BALCONYLEVELLEF3']);
    expect(ids[99]).toBe('BALCONYLEVELL100');
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) expect(() => sectionId.parse(id)).not.toThrow();
  });

  it('builds a layout the API\'s own schema takes: rows of seats and standing areas', () => {
    const sections: SectionDraft[] = [
      { name: ' Stalls ', tier: 'A', kind: 'seated', rows: 3, seatsPerRow: 10, capacity: 0 },
      { name: 'Pit', tier: 'GA', kind: 'standing', rows: 0, seatsPerRow: 0, capacity: 250 },
    ];
    const layout = venueLayoutOf(' Hall ', '', sections);
    expect(venueLayout.parse(layout)).toEqual(layout);
    expect(layout).toEqual({
      name: 'Hall',
      sections: [
        { id: 'STALLS', name: 'Stalls', tier: 'A', rows: [{ label: 'A', seats: 10 }, { label: 'B', seats: 10 }, { label: 'C', seats: 10 }] },
        { id: 'PIT', name: 'Pit', tier: 'GA', capacity: 250 },
      ],
    });
    expect(placeCount(sections)).toBe(280);
    expect(venueLayoutOf('Hall', ' Lyon ', sections).city).toBe('Lyon');
  });
});
