/**
 * The seat map's legend: each tier with its price and seats left, then every look a seat can have
 * (a buyer without colour vision reads them here).
 */
import type { EventView } from '@stream-seat/contracts';
import { h } from '../dom.js';
import { money } from '../format.js';
import type { SeatBoard } from '../seat-board.js';

/** A tier as the legend and the best-available form name it: "A · €50.00". */
export const tierLabel = (event: Pick<EventView, 'prices' | 'currency'>, tier: string) => `${tier} · ${money(event.prices[tier] ?? 0, event.currency)}`;

export interface LegendOptions {
  event: EventView;
  tiers: string[];
  tierIndex: (tier: string) => number;
}

export type PlacesByTier = Map<string, { available: number; total: number }>;

/** The places of each tier, and how many are available, as the board shows them (one pass over every place). */
export function placesByTier(board: SeatBoard, tierOf: (seatId: string) => string | undefined): PlacesByTier {
  const byTier: PlacesByTier = new Map();
  for (const id of board.seatIds()) {
    const tier = tierOf(id);
    if (!tier) continue;
    const entry = byTier.get(tier) ?? { available: 0, total: 0 };
    entry.total++;
    if (board.status(id) === 'AVAILABLE') entry.available++;
    byTier.set(tier, entry);
  }
  return byTier;
}

export function legendItems({ event, tiers, tierIndex }: LegendOptions, byTier: PlacesByTier): HTMLLIElement[] {
  return [
    ...tiers.map((tier) =>
      h('li', { 'data-tier': tier },
        h('span', { class: `swatch tier-${tierIndex(tier)}` }),
        `${tierLabel(event, tier)} · `,
        h('span', { class: 'available-count' }, String(byTier.get(tier)?.available ?? 0)),
        ' left',
      ),
    ),
    h('li', {}, h('span', { class: 'swatch status-held' }), 'taken'),
    h('li', {}, h('span', { class: 'swatch selected' }), 'selected'),
    h('li', {}, h('span', { class: 'swatch mine' }), 'held for you'),
  ];
}
