import { InvalidField } from '@stream-seat/platform';
import { describe, expect, it } from 'vitest';
import { checkDraft, checkPublishable, draftsListedFor, type EventDraft, isPublic, mayChange, maySee } from './event-rules.js';

const NOW = 1_000_000;
const draft = (over: Partial<EventDraft> = {}): EventDraft => ({
  startsAt: NOW + 10_000,
  currency: 'EUR',
  prices: { A: 100 },
  salesStartAt: null,
  salesEndAt: null,
  maxSeatsPerOrder: 10,
  ...over,
});
const fieldOf = (check: () => void) => {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidField) return (error.fields['errors'] as Array<{ field: string }>)[0]!.field;
    throw error;
  }
  return undefined;
};

describe('event rules', () => {
  it('accept a draft priced for some of its tiers', () => {
    expect(fieldOf(() => checkDraft(draft(), ['A', 'B'], NOW))).toBeUndefined();
  });

  it('name a price for a tier the venue lacks', () => {
    expect(fieldOf(() => checkDraft(draft({ prices: { Z: 1 } }), ['A'], NOW))).toBe('prices.Z');
  });

  it('refuse a start in the past and an incoherent sales window', () => {
    expect(fieldOf(() => checkDraft(draft({ startsAt: NOW - 1 }), ['A'], NOW))).toBe('startsAt');
    expect(fieldOf(() => checkDraft(draft({ salesStartAt: NOW + 5_000, salesEndAt: NOW + 4_000 }), ['A'], NOW))).toBe('salesEndAt');
    expect(fieldOf(() => checkDraft(draft({ salesEndAt: NOW + 20_000 }), ['A'], NOW))).toBe('salesEndAt');
    expect(fieldOf(() => checkDraft(draft({ salesStartAt: NOW + 10_000 }), ['A'], NOW))).toBe('salesStartAt');
  });

  it('keep the dearest order within what an order may cost', () => {
    expect(fieldOf(() => checkDraft(draft({ prices: { A: 100, B: 100_000_000 }, maxSeatsPerOrder: 20 }), ['A', 'B'], NOW))).toBe('maxSeatsPerOrder');
    expect(fieldOf(() => checkDraft(draft({ prices: { A: 100_000_000 }, maxSeatsPerOrder: 10 }), ['A'], NOW))).toBeUndefined();
    expect(fieldOf(() => checkDraft(draft({ prices: { A: 100_000_000 }, maxSeatsPerOrder: 11 }), ['A'], NOW))).toBe('maxSeatsPerOrder');
  });

  it('say the dearest order in the currency\'s own units, not in bare minor units', () => {
    const refusal = (over: Partial<EventDraft>) => {
      try {
        checkDraft(draft(over), ['A'], NOW);
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(refusal({ prices: { A: 100_000_000 }, maxSeatsPerOrder: 11 })).toBe(
      'maxSeatsPerOrder: 11 seats at the highest price (A: 1,000,000.00 EUR) would cost 11,000,000.00 EUR, more than one order may (10,000,000.00 EUR); lower one of them',
    );
    expect(refusal({ currency: 'JPY', prices: { A: 100_000_000 }, maxSeatsPerOrder: 11 })).toContain('(A: 100,000,000 JPY) would cost 1,100,000,000 JPY');
  });

  it('publish only with a price for every tier and a window not yet over', () => {
    expect(fieldOf(() => checkPublishable(draft(), ['A', 'B'], NOW))).toBe('prices');
    // A tier named like an object property (a venue stored before the catalogue refused such
    // names) has no price for being on every object: the price must be the draft's own.
    expect(fieldOf(() => checkPublishable(draft(), ['A', 'constructor'], NOW))).toBe('prices');
    expect(fieldOf(() => checkPublishable(draft({ salesEndAt: NOW - 1, salesStartAt: NOW - 2 }), ['A'], NOW))).toBe('salesEndAt');
    expect(fieldOf(() => checkPublishable(draft(), ['A'], NOW))).toBeUndefined();
  });

  it('let organisers change their own things and admins everything', () => {
    expect(mayChange('olga', { sub: 'olga', role: 'organizer' })).toBe(true);
    expect(mayChange('olga', { sub: 'oscar', role: 'organizer' })).toBe(false);
    expect(mayChange('olga', { sub: 'olga', role: 'buyer' })).toBe(false);
    expect(mayChange('olga', { sub: 'root', role: 'admin' })).toBe(true);
    expect(mayChange('olga', undefined)).toBe(false);
  });

  it('show drafts, and drafts cancelled before going on sale, to their organiser only; everything else to anyone', () => {
    const olga = { sub: 'olga', role: 'organizer' } as const;
    expect(maySee({ status: 'DRAFT', organizerId: 'olga', cancelledAsDraft: false }, undefined)).toBe(false);
    expect(maySee({ status: 'DRAFT', organizerId: 'olga', cancelledAsDraft: false }, olga)).toBe(true);
    expect(maySee({ status: 'ON_SALE', organizerId: 'olga', cancelledAsDraft: false }, undefined)).toBe(true);
    expect(maySee({ status: 'CANCELLED', organizerId: 'olga', cancelledAsDraft: false }, undefined)).toBe(true);
    expect(maySee({ status: 'CANCELLED', organizerId: 'olga', cancelledAsDraft: true }, undefined)).toBe(false);
    expect(maySee({ status: 'CANCELLED', organizerId: 'olga', cancelledAsDraft: true }, { sub: 'otto', role: 'organizer' })).toBe(false);
    expect(maySee({ status: 'CANCELLED', organizerId: 'olga', cancelledAsDraft: true }, olga)).toBe(true);
  });

  it('call public only what is on sale or was (cancelled after sale), whoever looks', () => {
    expect(isPublic({ status: 'ON_SALE', cancelledAsDraft: false })).toBe(true);
    expect(isPublic({ status: 'CANCELLED', cancelledAsDraft: false })).toBe(true);
    expect(isPublic({ status: 'CANCELLED', cancelledAsDraft: true })).toBe(false);
    expect(isPublic({ status: 'DRAFT', cancelledAsDraft: false })).toBe(false);
  });

  it("list an organiser's own drafts to them, every draft to an admin, and none to a buyer or an anonymous caller", () => {
    expect(draftsListedFor({ sub: 'olga', role: 'organizer' })).toBe('olga');
    expect(draftsListedFor({ sub: 'root', role: 'admin' })).toBe('all');
    expect(draftsListedFor({ sub: 'olga', role: 'buyer' })).toBeUndefined();
    expect(draftsListedFor(undefined)).toBeUndefined();
  });
});
