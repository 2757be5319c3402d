import type { VenueLayout } from '@stream-seat/contracts';
import { InvalidField } from '@stream-seat/platform';
import { describe, expect, it } from 'vitest';
import { checkLayout, layoutCapacity, layoutTiers } from './venue-layout.js';

const fieldOf = (layout: VenueLayout) => {
  try {
    checkLayout(layout);
  } catch (error) {
    if (error instanceof InvalidField) return (error.fields['errors'] as Array<{ field: string }>)[0]!.field;
    throw error;
  }
  return undefined;
};

describe('checkLayout', () => {
  it('accepts seated and general-admission sections', () => {
    const layout: VenueLayout = {
      name: 'V',
      sections: [
        { id: 'A', name: 'A', tier: 'T1', rows: [{ label: 'A', seats: 10 }, { label: 'B', seats: 10 }] },
        { id: 'F', name: 'F', tier: 'T2', capacity: 100 },
      ],
    };
    expect(fieldOf(layout)).toBeUndefined();
    expect(layoutCapacity(layout)).toBe(120);
    expect(layoutTiers(layout)).toEqual(['T1', 'T2']);
  });

  it('names a duplicate section id, even in another case', () => {
    expect(
      fieldOf({ name: 'V', sections: [{ id: 'A', name: 'A', tier: 'T', capacity: 1 }, { id: 'a', name: 'B', tier: 'T', capacity: 1 }] }),
    ).toBe('sections.1.id');
  });

  it('names a section named as an earlier one, whatever its case, accents or spacing', () => {
    const section = (id: string, name: string) => ({ id, name, tier: 'T', capacity: 1 });
    expect(fieldOf({ name: 'V', sections: [section('A', 'Balcony'), section('B', 'Stalls'), section('C', ' balcony ')] })).toBe('sections.2.name');
    expect(fieldOf({ name: 'V', sections: [section('A', 'Balcón  Alto'), section('B', 'balcon alto')] })).toBe('sections.1.name');
    expect(fieldOf({ name: 'V', sections: [section('A', 'Balcony'), section('B', 'Balcony 2')] })).toBeUndefined();
  });

  it('names a tier written in another case than an earlier section’s, and takes one tier shared as written', () => {
    const section = (id: string, tier: string) => ({ id, name: id, tier, capacity: 1 });
    expect(fieldOf({ name: 'V', sections: [section('A', 'VIP'), section('B', 'GA'), section('C', 'vip')] })).toBe('sections.2.tier');
    expect(fieldOf({ name: 'V', sections: [section('A', 'VIP'), section('B', 'VIP')] })).toBeUndefined();
  });

  it('names a duplicate row label within a section', () => {
    expect(
      fieldOf({ name: 'V', sections: [{ id: 'A', name: 'A', tier: 'T', rows: [{ label: 'A', seats: 1 }, { label: 'A', seats: 2 }] }] }),
    ).toBe('sections.0.rows.1.label');
  });

  it('wants either rows or a capacity, not both and not neither', () => {
    expect(fieldOf({ name: 'V', sections: [{ id: 'A', name: 'A', tier: 'T' }] })).toBe('sections.0.rows');
    expect(fieldOf({ name: 'V', sections: [{ id: 'A', name: 'A', tier: 'T', capacity: 3, rows: [{ label: 'A', seats: 1 }] }] })).toBe(
      'sections.0.rows',
    );
  });

  it('refuses more than 100,000 places', () => {
    const rows = Array.from({ length: 101 }, (_, i) => ({ label: `R${i}`, seats: 1_000 }));
    expect(fieldOf({ name: 'V', sections: [{ id: 'A', name: 'A', tier: 'T', rows }] })).toBe('sections');
    expect(fieldOf({ name: 'V', sections: [{ id: 'A', name: 'A', tier: 'T', rows: rows.slice(0, 100) }] })).toBeUndefined();
  });
});
