/**
 * The organiser's venue builder: sections described in a few numbers (rows of so many seats, or a
 * standing capacity) become the layout `POST /api/venues` takes. Curved rows, rotations and
 * positions stay the API's (README: Catalogue).
 */
import type { LayoutSection, VenueLayout } from '@stream-seat/contracts';
import { MAX_SECTION_ID_LENGTH } from '@stream-seat/contracts/limits';

export interface SectionDraft {
  name: string;
  /** The price class the section's places are sold in (`prices` of an event name it). */
  tier: string;
  kind: 'seated' | 'standing';
  /** Seated: rows, front first, each of `seatsPerRow` seats. */
  rows: number;
  seatsPerRow: number;
  /** Standing: how many places. */
  capacity: number;
}

/** "A" … "Z", "AA", "AB" … : the labels of `count` rows, front first (as spreadsheets name columns). */
export function rowLabels(count: number): string[] {
  const labels: string[] = [];
  for (let n = 1; n <= count; n++) {
    let label = '';
    for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26)) label = String.fromCharCode(65 + ((rest - 1) % 26)) + label;
    labels.push(label);
  }
  return labels;
}

/**
 * A section's id, made from its name as the API allows one (1–16 letters, digits or _; it starts
 * every seat's id: `ORCHESTRA-A-12`), unique among the venue's: "Orchestra" → `ORCHESTRA`, a second
 * "Orchestra" → `ORCHESTRA2` (the name cut short to make room for the number), a name with no such letters ("Ложа") → `S3`, after its place.
 */
export function sectionIds(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name, index) => {
    const base = name.normalize('NFD').replace(/[^A-Za-z0-9]+/g, '').toUpperCase().slice(0, MAX_SECTION_ID_LENGTH) || `S${index + 1}`;
    let id = base;
    // The number goes on the end within the 16 (the 100th "Balcony Level Left" had an id of 17, a 400).
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, MAX_SECTION_ID_LENGTH - String(n).length)}${n}`;
    taken.add(id);
    return id;
  });
}

/** The layout of the venue the builder describes. */
export function venueLayoutOf(name: string, city: string, sections: readonly SectionDraft[]): VenueLayout {
  const ids = sectionIds(sections.map((s) => s.name));
  return {
    name: name.trim(),
    ...(city.trim() ? { city: city.trim() } : {}),
    sections: sections.map((section, index): LayoutSection => {
      const common = { id: ids[index] ?? `S${index + 1}`, name: section.name.trim(), tier: section.tier.trim() };
      return section.kind === 'standing'
        ? { ...common, capacity: section.capacity }
        : { ...common, rows: rowLabels(section.rows).map((label) => ({ label, seats: section.seatsPerRow })) };
    }),
  };
}

/** How many places the sections hold in all (the venue's capacity). */
export function placeCount(sections: readonly SectionDraft[]): number {
  return sections.reduce((sum, s) => sum + (s.kind === 'standing' ? s.capacity : s.rows * s.seatsPerRow), 0);
}
