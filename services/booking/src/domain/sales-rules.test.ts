import { describe, expect, it } from 'vitest';
import type { CatalogueEvent } from './catalogue-client.js';
import { assertOnSale, assertSeatCount } from './sales-rules.js';

const now = Date.parse('2030-01-01T12:00:00Z');
const event: CatalogueEvent = {
  id: 'e1',
  organizerId: 'olga',
  status: 'ON_SALE',
  currency: 'EUR',
  startsAt: '2030-01-03T20:00:00Z',
  salesStartAt: '2030-01-01T00:00:00Z',
  salesEndAt: '2030-01-02T00:00:00Z',
  maxSeatsPerOrder: 4,
};

describe('sales rules', () => {
  it('accepts an on-sale event inside its window', () => {
    expect(() => assertOnSale(event, now)).not.toThrow();
    expect(() => assertOnSale({ ...event, salesStartAt: null, salesEndAt: null }, now)).not.toThrow();
  });

  it('refuses drafts, cancelled events and times outside the window', () => {
    expect(() => assertOnSale({ ...event, status: 'DRAFT' }, now)).toThrow(/DRAFT/);
    expect(() => assertOnSale({ ...event, status: 'CANCELLED' }, now)).toThrow(/CANCELLED/);
    expect(() => assertOnSale({ ...event, salesStartAt: '2030-01-01T13:00:00Z' }, now)).toThrow(/open at/);
    expect(() => assertOnSale({ ...event, salesEndAt: '2030-01-01T12:00:00Z' }, now)).toThrow(/closed at/);
  });

  it('ends sales when the event starts if no salesEndAt says otherwise', () => {
    const started = { ...event, salesEndAt: null, startsAt: '2030-01-01T11:59:00Z' };
    expect(() => assertOnSale(started, now)).toThrow(/started at 2030-01-01T11:59:00Z/);
    expect(() => assertOnSale({ ...started, startsAt: '2030-01-01T12:01:00Z' }, now)).not.toThrow();
  });

  it('bounds the seats of one order by the event maximum, naming the field', () => {
    expect(() => assertSeatCount(event, 'quantity', 4)).not.toThrow();
    expect(() => assertSeatCount(event, 'quantity', 5)).toThrow(/quantity: at most 4/);
  });
});
