/**
 * A venue's seat map serialized once, with a fixed-width slot where each seat's price goes, so
 * that an event's priced map is one buffer copy plus a 9-byte write per seat instead of a parse
 * and a serialization of every seat. Prices are padded with spaces, which JSON allows
 * (`"priceCents":     4500}`). Venues never change, so a template serves every event there.
 */
import type { VenueSeatMap } from '@stream-seat/contracts';

/** Wide enough for the largest price the contract allows (100,000,000 cents). */
const PRICE_WIDTH = 9;
/** Stands in for every price while the template is serialized; exactly PRICE_WIDTH digits. */
const MARK = 123_456_789;
const MARK_BYTES = Buffer.from(`"priceCents":${MARK}`);
const KEY_LENGTH = '"priceCents":'.length;

export interface SeatMapTemplate {
  map: Omit<VenueSeatMap, 'seats'>;
  /** The `seats` array's JSON as UTF-8, with a placeholder in every price slot. */
  seats: Buffer;
  /** Byte offset of each seat's price slot, and the index of its tier in `tiers`. */
  slots: Uint32Array;
  slotTiers: Uint16Array;
  tiers: string[];
  /** Memory held, for the cache's bound. */
  bytes: number;
}

export function createSeatMapTemplate(venueMap: VenueSeatMap): SeatMapTemplate {
  const tiers: string[] = [];
  const tierIndex = new Map<string, number>();
  const slotTiers = new Uint16Array(venueMap.seats.length);
  // One native JSON.stringify of the whole array beats building each seat's text by hand.
  const marked = venueMap.seats.map((s, i) => {
    let t = tierIndex.get(s.tier);
    if (t === undefined) {
      t = tiers.push(s.tier) - 1;
      tierIndex.set(s.tier, t);
    }
    slotTiers[i] = t;
    return { id: s.id, section: s.section, row: s.row, number: s.number, x: s.x, y: s.y, tier: s.tier, priceCents: MARK };
  });
  const seats = Buffer.from(JSON.stringify(marked));
  // The key "priceCents" occurs nowhere else, so its occurrences are the seats', in order.
  const slots = new Uint32Array(venueMap.seats.length);
  let from = 0;
  for (let i = 0; i < slots.length; i++) {
    const at = seats.indexOf(MARK_BYTES, from);
    slots[i] = at + KEY_LENGTH;
    from = at + MARK_BYTES.byteLength;
  }
  const { bounds, stage, sections } = venueMap;
  return { map: { bounds, stage, sections }, seats, slots, slotTiers, tiers, bytes: seats.byteLength + slots.byteLength * 1.5 };
}

export interface PricedEvent {
  eventId: string;
  venueId: string;
  currency: string;
  /** Price by tier; a tier a draft has not priced yet shows 0. */
  prices: Record<string, number>;
}

/** The event's seat map as UTF-8 JSON: every seat with the price of its tier. */
export function renderSeatMap(template: SeatMapTemplate, event: PricedEvent): Buffer {
  const price = (tier: string) => (Object.hasOwn(event.prices, tier) ? (event.prices[tier] ?? 0) : 0);
  const head = JSON.stringify({
    eventId: event.eventId,
    venueId: event.venueId,
    currency: event.currency,
    bounds: template.map.bounds,
    stage: template.map.stage,
    sections: template.map.sections.map((s) => ({
      id: s.id,
      name: s.name,
      tier: s.tier,
      priceCents: price(s.tier),
      kind: s.kind,
      capacity: s.capacity,
      area: s.area,
    })),
  });
  // One allocation of the exact size: on a busy machine, fresh megabytes cost more than copying.
  const prefix = Buffer.from(`${head.slice(0, -1)},"seats":`);
  const out = Buffer.allocUnsafe(prefix.byteLength + template.seats.byteLength + 1);
  prefix.copy(out, 0);
  template.seats.copy(out, prefix.byteLength);
  out[out.byteLength - 1] = 0x7d; // }
  const priceBytes = template.tiers.map((tier) => Buffer.from(String(price(tier)).padStart(PRICE_WIDTH, ' ')));
  const { slots, slotTiers } = template;
  // Byte by byte: a native copy call per seat costs more than the nine bytes it copies.
  for (let i = 0; i < slots.length; i++) {
    const bytes = priceBytes[slotTiers[i] as number] as Buffer;
    const at = prefix.byteLength + (slots[i] as number);
    for (let k = 0; k < PRICE_WIDTH; k++) out[at + k] = bytes[k] as number;
  }
  return out;
}
