/**
 * An event's seat layout: every seat's place (section, row, number, tier, kind) and its distance
 * from the stage, in the order the inventory lists them (by seat id). It never changes once the
 * inventory exists — seats are inserted with it, in one transaction, and only their status changes
 * afterwards — so it is computed once per event and instance (see the layout cache in db/inventory.repository.ts), and a
 * request reads only the seats' statuses. Flat arrays indexed by seat position, not one object per
 * seat: best available and availability walk 100,000 seats per request.
 */
import type { SeatStatus } from '../db/schema.js';
import type { SeatPlace } from './best-available.js';

/** Seat statuses by number, as arrays of a layout's positions hold them: AVAILABLE is 0. */
export const SEAT_STATUSES: readonly SeatStatus[] = ['AVAILABLE', 'HELD', 'BOOKED'];

/** A seated row (section + row label): its seats' positions, sorted by seat number. */
export interface LayoutRow {
  readonly seats: Int32Array;
  /** The row's first seat in layout order. */
  readonly first: number;
}

export interface SeatLayout {
  readonly size: number;
  readonly seatIds: readonly string[];
  readonly section: readonly string[];
  readonly tier: readonly string[];
  /** 1 for a seated seat, 0 for a unit of general-admission capacity. */
  readonly seated: Uint8Array;
  readonly number: Float64Array;
  /** Each seat's distance from the stage. */
  readonly distance: Float64Array;
  /** Seated rows in the order their first seat appears. */
  readonly rows: readonly LayoutRow[];
  /** Each seat's row, an index into `rows` (-1 for a unit of general admission). */
  readonly rowOf: Int32Array;
  /** The longest row, for scratch space. */
  readonly longestRow: number;
  /** Seated seats nearest the stage first (layout order among equals). */
  readonly nearest: Int32Array;
  /** General-admission units in layout order. */
  readonly general: Int32Array;
  /** Section and tier names in the order they first appear, and each seat's index into them. */
  readonly sections: readonly string[];
  readonly sectionOf: Uint32Array;
  readonly tiers: readonly string[];
  readonly tierOf: Uint32Array;
  /** The position of a seat id, undefined for a seat the event does not have. */
  indexOf(seatId: string): number | undefined;
}

/** The index of `name` in `names`, added at the end the first time it is seen. */
function intern(name: string, names: string[], indexOf: Map<string, number>): number {
  let index = indexOf.get(name);
  if (index === undefined) {
    index = names.length;
    names.push(name);
    indexOf.set(name, index);
  }
  return index;
}

export function buildSeatLayout(places: readonly SeatPlace[], stage: { x: number; y: number }): SeatLayout {
  const size = places.length;
  const seatIds: string[] = new Array<string>(size);
  const section: string[] = new Array<string>(size);
  const tier: string[] = new Array<string>(size);
  const seated = new Uint8Array(size);
  const number = new Float64Array(size);
  const distance = new Float64Array(size);
  const sectionOf = new Uint32Array(size);
  const tierOf = new Uint32Array(size);
  const positions = new Map<string, number>();
  // Names repeat across 100,000 seats: one string each, not one per row read.
  const sectionIds = new Map<string, number>();
  const tierIds = new Map<string, number>();
  const sections: string[] = [];
  const tiers: string[] = [];
  const rowsByKey = new Map<string, number[]>();
  const rowFirst: number[] = [];
  const general: number[] = [];
  const seatedPositions: number[] = [];
  for (let i = 0; i < size; i++) {
    const place = places[i] as SeatPlace;
    seatIds[i] = place.seatId;
    if (!positions.has(place.seatId)) positions.set(place.seatId, i);
    const s = intern(place.section, sections, sectionIds);
    section[i] = sections[s] as string;
    sectionOf[i] = s;
    const t = intern(place.tier, tiers, tierIds);
    tier[i] = tiers[t] as string;
    tierOf[i] = t;
    number[i] = place.number;
    distance[i] = Math.hypot(place.x - stage.x, place.y - stage.y);
    if (place.kind === 'seated') {
      seated[i] = 1;
      seatedPositions.push(i);
      const key = `${place.section}\u0000${place.row}`;
      const row = rowsByKey.get(key);
      if (row) row.push(i);
      else {
        rowsByKey.set(key, [i]);
        rowFirst.push(i);
      }
    } else {
      general.push(i);
    }
  }
  // Both sorts are stable: equals keep layout order, as best available's ties always have.
  const rows: LayoutRow[] = [];
  const rowOf = new Int32Array(size).fill(-1);
  let longestRow = 0;
  let r = 0;
  for (const row of rowsByKey.values()) {
    row.sort((a, b) => (number[a] as number) - (number[b] as number));
    for (const i of row) rowOf[i] = r;
    rows.push({ seats: Int32Array.from(row), first: rowFirst[r++] as number });
    longestRow = Math.max(longestRow, row.length);
  }
  seatedPositions.sort((a, b) => (distance[a] as number) - (distance[b] as number));
  return {
    size,
    seatIds,
    section,
    tier,
    seated,
    number,
    distance,
    rows,
    rowOf,
    longestRow,
    nearest: Int32Array.from(seatedPositions),
    general: Int32Array.from(general),
    sections,
    sectionOf,
    tiers,
    tierOf,
    indexOf: (seatId) => positions.get(seatId),
  };
}

