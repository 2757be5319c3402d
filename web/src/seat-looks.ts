/**
 * How a seat looks now: its classes (status, tier while available, selected, held for the buyer),
 * the word a screen reader says of its state, and — on a canvas — the colour a circle with those
 * classes would have, read from the style sheet once per look.
 */
import type { SeatStatusValue } from '@stream-seat/contracts';
import { svg } from './dom.js';
import type { SeatBoard } from './seat-board.js';

const STATUS_NUMBERS: Record<SeatStatusValue, number> = { AVAILABLE: 0, HELD: 1, BOOKED: 2 };

export function statusWord(status: SeatStatusValue, mine: boolean): string {
  if (status === 'AVAILABLE') return 'available';
  if (status === 'HELD') return mine ? 'held for you' : 'taken';
  return mine ? 'yours' : 'sold';
}

export interface SeatLooksOptions {
  board: SeatBoard;
  /** Each seat's tier as the legend numbers it (`tier-N`). */
  tierNumbers: ReadonlyMap<string, number>;
  selected: () => ReadonlySet<string>;
  mine: () => ReadonlySet<string>;
  /** Where a probe circle is put for a moment to read its colour (the map's <svg>). */
  probeIn: SVGSVGElement;
}

export function createSeatLooks({ board, tierNumbers, selected, mine, probeIn }: SeatLooksOptions) {
  /** The classes that give a seat its look now (its colour, on the canvas). */
  function classes(seatId: string): string {
    const status = board.status(seatId) ?? 'HELD';
    let names = `seat status-${status.toLowerCase()}`;
    if (status === 'AVAILABLE') names += ` tier-${tierNumbers.get(seatId) ?? 0}`;
    if (selected().has(seatId)) names += ' selected';
    if (mine().has(seatId)) names += ' mine';
    return names;
  }

  // A look is known by a number (status, tier, selected, held) so that a paint builds no strings.
  const colours = new Map<number, string>();
  function colour(seatId: string): string {
    const status = board.status(seatId) ?? 'HELD';
    const look = (((STATUS_NUMBERS[status] * 1_000 + (tierNumbers.get(seatId) ?? 0)) * 2 + Number(selected().has(seatId))) * 2) + Number(mine().has(seatId));
    let found = colours.get(look);
    if (found === undefined) {
      const probe = svg('circle', { class: classes(seatId), r: 0 });
      probeIn.append(probe);
      found = getComputedStyle(probe).fill;
      probe.remove();
      colours.set(look, found);
    }
    return found;
  }

  return { classes, colour };
}
