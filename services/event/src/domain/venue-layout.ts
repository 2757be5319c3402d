/** Rules a venue layout must follow beyond its shape: limits, unique ids, labels and tiers, one kind per section. */
import { MAX_VENUE_SEATS, type VenueLayout } from '@stream-seat/contracts';
import { InvalidField } from '@stream-seat/platform';
import { searchKey } from './search-text.js';

/** Seats plus general-admission places: what the venue can sell. */
export function layoutCapacity(layout: VenueLayout): number {
  let total = 0;
  for (const section of layout.sections) {
    total += section.capacity ?? 0;
    for (const row of section.rows ?? []) total += row.seats;
  }
  return total;
}

/**
 * Ids and labels are compared case-insensitively: they become seat ids, and MySQL's default
 * collation would treat `ORCH-A-1` and `orch-A-1` as the same key in the booking service.
 */
export function checkLayout(layout: VenueLayout): void {
  const sectionIds = new Map<string, number>();
  /**
   * Each section's name as a reader compares it (case, accents, spacing): tickets, the desk's
   * "Welcome!" and the seat map name a seat by its section's name, and two "Balcony"s had named two
   * seats alike.
   */
  const sectionNames = new Map<string, number>();
  /** Each tier by its name in upper case: `vip` and `VIP` would be two prices a buyer reads as one tier. */
  const tiers = new Map<string, number>();
  layout.sections.forEach((section, s) => {
    const tierKey = section.tier.toUpperCase();
    const first = tiers.get(tierKey);
    const firstTier = first === undefined ? undefined : layout.sections[first]?.tier;
    if (firstTier !== undefined && firstTier !== section.tier) {
      throw new InvalidField(`sections.${s}.tier`, `differs only in case from the tier of sections.${first} (${firstTier}): write one tier the same way`);
    }
    if (first === undefined) tiers.set(tierKey, s);
    const key = section.id.toUpperCase();
    const earlier = sectionIds.get(key);
    if (earlier !== undefined) {
      throw new InvalidField(`sections.${s}.id`, `duplicates the id of sections.${earlier} (${section.id})`);
    }
    sectionIds.set(key, s);
    const nameKey = searchKey(section.name).replace(/\s+/g, ' ').trim();
    const named = sectionNames.get(nameKey);
    if (named !== undefined) {
      throw new InvalidField(`sections.${s}.name`, `is the name of sections.${named} (${layout.sections[named]?.name}) too: tickets and the door name a seat by its section's name`);
    }
    sectionNames.set(nameKey, s);

    const hasRows = section.rows !== undefined;
    const hasCapacity = section.capacity !== undefined;
    if (hasRows === hasCapacity) {
      throw new InvalidField(`sections.${s}.rows`, 'a section has either rows of seats or a general-admission capacity');
    }
    if (section.size && hasRows) {
      throw new InvalidField(`sections.${s}.size`, 'only a general-admission section takes a size');
    }
    const labels = new Map<string, number>();
    section.rows?.forEach((row, r) => {
      const label = row.label.toUpperCase();
      const first = labels.get(label);
      if (first !== undefined) {
        throw new InvalidField(`sections.${s}.rows.${r}.label`, `duplicates the label of rows.${first} (${row.label})`);
      }
      labels.set(label, r);
    });
  });
  const capacity = layoutCapacity(layout);
  if (capacity > MAX_VENUE_SEATS) {
    throw new InvalidField('sections', `the layout has ${capacity} places; a venue has at most ${MAX_VENUE_SEATS}`);
  }
}

/** The price tiers a venue's sections use, in first-use order. */
export function layoutTiers(layout: VenueLayout): string[] {
  return [...new Set(layout.sections.map((s) => s.tier))];
}
