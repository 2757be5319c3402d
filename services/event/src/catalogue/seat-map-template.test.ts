import { seatMap } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { buildSeatMap } from '../domain/seat-map.js';
import { createSeatMapTemplate, renderSeatMap } from './seat-map-template.js';

const venueMap = buildSeatMap({
  name: 'V',
  sections: [
    { id: 'A', name: 'A', tier: 'GOLD', rows: [{ label: 'A', seats: 3 }, { label: 'B', seats: 2 }] },
    { id: 'FLOOR', name: 'Floor', tier: 'GA', capacity: 50 },
    { id: 'B', name: 'B', tier: 'SILVER', rows: [{ label: 'A', seats: 2, curve: 1 }] },
    { id: 'C', name: 'C', tier: 'GOLD', rows: [{ label: 'A', seats: 1 }] },
  ],
});

describe('seat map template', () => {
  it('renders every seat with the price of its tier, the same as pricing the map seat by seat', () => {
    const prices = { GOLD: 9000, SILVER: 5000, GA: 2500 };
    const rendered = JSON.parse(String(renderSeatMap(createSeatMapTemplate(venueMap), { eventId: 'e', venueId: 'v', currency: 'EUR', prices })));
    expect(seatMap.parse(rendered)).toEqual(rendered);
    expect(rendered.seats).toEqual(venueMap.seats.map((s) => ({ ...s, priceCents: prices[s.tier as keyof typeof prices] })));
    expect(rendered.sections.map((s: { id: string; priceCents: number }) => [s.id, s.priceCents])).toEqual([
      ['A', 9000],
      ['FLOOR', 2500],
      ['B', 5000],
      ['C', 9000],
    ]);
    expect(rendered).toMatchObject({ eventId: 'e', venueId: 'v', currency: 'EUR', bounds: venueMap.bounds, stage: venueMap.stage });
  });

  it('fits the largest price the contract allows', () => {
    const rendered = JSON.parse(String(renderSeatMap(createSeatMapTemplate(venueMap), { eventId: 'e', venueId: 'v', currency: 'EUR', prices: { GOLD: 100_000_000 } })));
    expect(rendered.seats[0].priceCents).toBe(100_000_000);
  });

  it('prices a tier a draft has not priced at 0, and renders a venue without seats', () => {
    const template = createSeatMapTemplate(venueMap);
    const draft = JSON.parse(String(renderSeatMap(template, { eventId: 'e', venueId: 'v', currency: 'EUR', prices: { GOLD: 1 } })));
    expect(draft.seats.find((s: { id: string }) => s.id === 'B-A-1').priceCents).toBe(0);
    const standing = buildSeatMap({ name: 'S', sections: [{ id: 'F', name: 'F', tier: 'GA', capacity: 10 }] });
    const empty = JSON.parse(String(renderSeatMap(createSeatMapTemplate(standing), { eventId: 'e', venueId: 'v', currency: 'EUR', prices: {} })));
    expect(empty.seats).toEqual([]);
  });
});
