/**
 * Which seat a key leads to on the seat map: left and right along the row, up and down to the
 * nearest seat of the row above or below, Home and End to the row's ends, Ctrl+Home and Ctrl+End
 * to the map's first and last seat. Pure, so that the map view only asks and moves the focus.
 */

/** The parts of a map seat that say where it is. */
export interface NavigableSeat {
  id: string;
  section: string;
  row: string;
  number: number;
  x: number;
  y: number;
}

export type SeatMove = 'left' | 'right' | 'up' | 'down' | 'rowStart' | 'rowEnd' | 'first' | 'last';
/** A move, or `toggle` to select or unselect the focused seat. */
export type SeatKeyAction = SeatMove | 'toggle';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const ARROWS: Record<string, SeatMove> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

/** What a key press does on the map; undefined leaves it to the browser (Alt+Left goes back, Tab leaves). */
export function seatKeyAction(press: KeyPress): SeatKeyAction | undefined {
  if (press.altKey || press.metaKey || press.shiftKey) return undefined;
  if (press.key === 'Home') return press.ctrlKey ? 'first' : 'rowStart';
  if (press.key === 'End') return press.ctrlKey ? 'last' : 'rowEnd';
  if (press.ctrlKey) return undefined;
  if (press.key === 'Enter' || press.key === ' ') return 'toggle';
  return ARROWS[press.key];
}

export interface SeatNavigator {
  /** The first seat of the map (its first row's left end), where Tab enters it; undefined without seats. */
  readonly first: string | undefined;
  /** Where a move leads from a seat: the same seat at an edge, undefined for a seat not on the map. */
  move(seatId: string, move: SeatMove): string | undefined;
}

/**
 * Rows are the map's (section, row) pairs, sections in map order and each section's rows from the
 * top of the screen down; a row's seats run from its left end, so that the arrows follow what the
 * buyer sees even in a section turned round. In a section turned a quarter (an arena's side
 * blocks) rows run down the screen: there up and down move along the row, from its top end, and
 * left and right to the row beside it — ArrowRight had moved down the screen there (a probe).
 */
export function createSeatNavigator(seats: readonly NavigableSeat[]): SeatNavigator {
  const sections = new Map<string, Map<string, NavigableSeat[]>>();
  for (const seat of seats) {
    let rows = sections.get(seat.section);
    if (!rows) sections.set(seat.section, (rows = new Map()));
    const row = rows.get(seat.row);
    if (row) row.push(seat);
    else rows.set(seat.row, [seat]);
  }
  const rows: NavigableSeat[][] = [];
  /** Rows (by index in `rows`) that run down the screen. */
  const vertical = new Set<number>();
  for (const sectionRows of sections.values()) {
    const numbered = [...sectionRows.values()].map((row) => row.sort((a, b) => a.number - b.number));
    const down = runsDown(numbered);
    // Along a row: from its left end, or its top end when it runs down the screen.
    const ordered = numbered.map((row) => (runsBackwards(row[0], row.at(-1), down ? 'y' : 'x') ? row.reverse() : row));
    // Across rows: from the top, or from the left when rows run down the screen.
    const across = runsBackwards(centre(ordered[0]), centre(ordered.at(-1)), down ? 'x' : 'y') ? ordered.reverse() : ordered;
    for (const row of across) {
      if (down) vertical.add(rows.length);
      rows.push(row);
    }
  }
  const at = new Map<string, { row: number; index: number }>();
  rows.forEach((row, r) => row.forEach((seat, index) => at.set(seat.id, { row: r, index })));
  /** What an arrow means in a row that runs down the screen: along it for up and down, across for left and right. */
  const TURNED: Partial<Record<SeatMove, SeatMove>> = { up: 'left', down: 'right', left: 'up', right: 'down' };

  function nearest(row: NavigableSeat[], from: NavigableSeat): NavigableSeat {
    let best = row[0] as NavigableSeat;
    let bestDistance = Infinity;
    for (const seat of row) {
      const distance = (seat.x - from.x) ** 2 + (seat.y - from.y) ** 2;
      if (distance < bestDistance) {
        best = seat;
        bestDistance = distance;
      }
    }
    return best;
  }

  return {
    first: rows[0]?.[0]?.id,
    move(seatId, pressed) {
      const place = at.get(seatId);
      if (!place) return undefined;
      const row = rows[place.row] as NavigableSeat[];
      const seat = row[place.index] as NavigableSeat;
      const move = vertical.has(place.row) ? (TURNED[pressed] ?? pressed) : pressed;
      switch (move) {
        case 'left':
          return (row[place.index - 1] ?? seat).id;
        case 'right':
          return (row[place.index + 1] ?? seat).id;
        case 'rowStart':
          return (row[0] as NavigableSeat).id;
        case 'rowEnd':
          return (row.at(-1) as NavigableSeat).id;
        case 'up':
        case 'down': {
          const next = rows[place.row + (move === 'up' ? -1 : 1)];
          return next ? nearest(next, seat).id : seatId;
        }
        case 'first':
          return rows[0]?.[0]?.id;
        case 'last':
          return rows.at(-1)?.at(-1)?.id;
      }
    },
  };
}

/** A line from `from` to `to` that goes more against the axis (leftwards, upwards) than across it. */
function runsBackwards(from: Point | undefined, to: Point | undefined, axis: 'x' | 'y'): boolean {
  if (!from || !to) return false;
  const along = axis === 'x' ? to.x - from.x : to.y - from.y;
  const across = axis === 'x' ? to.y - from.y : to.x - from.x;
  return along < 0 && -along > Math.abs(across);
}

interface Point {
  x: number;
  y: number;
}

/**
 * True when a section's rows run more down the screen than across it: its longest row's ends, or,
 * rows of one seat, its rows' centres lying side by side.
 */
function runsDown(rows: NavigableSeat[][]): boolean {
  const longest = rows.reduce<NavigableSeat[]>((best, row) => (row.length > best.length ? row : best), []);
  const [from, to] = [longest[0], longest.at(-1)];
  if (from && to && from !== to) return Math.abs(to.y - from.y) > Math.abs(to.x - from.x);
  const [a, b] = [centre(rows[0]), centre(rows.at(-1))];
  return a !== undefined && b !== undefined && Math.abs(b.x - a.x) > Math.abs(b.y - a.y);
}

function centre(row: NavigableSeat[] | undefined): Point | undefined {
  if (!row || row.length === 0) return undefined;
  return { x: row.reduce((sum, s) => sum + s.x, 0) / row.length, y: row.reduce((sum, s) => sum + s.y, 0) / row.length };
}
