import { describe, expect, it } from 'vitest';
import { createSeatNavigator, type NavigableSeat, seatKeyAction } from '../src/seat-keyboard.js';

/** A straight row of `count` seats, seat 1 on the left, 10 apart, with `x0` as seat 1's x. */
function row(section: string, label: string, count: number, y: number, x0 = 0): NavigableSeat[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${section}-${label}-${i + 1}`, section, row: label, number: i + 1, x: x0 + i * 10, y }));
}

const press = (key: string, modifiers: { ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean; shiftKey?: boolean } = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...modifiers,
});

describe('seat map keys', () => {
  it('moves with the arrows, Home and End, and toggles with Enter and Space', () => {
    expect(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'Enter', ' '].map((k) => seatKeyAction(press(k)))).toEqual([
      'left', 'right', 'up', 'down', 'rowStart', 'rowEnd', 'toggle', 'toggle',
    ]);
    expect(seatKeyAction(press('Home', { ctrlKey: true }))).toBe('first');
    expect(seatKeyAction(press('End', { ctrlKey: true }))).toBe('last');
  });

  it("leaves Tab, other keys and the browser's own shortcuts alone", () => {
    for (const p of [press('Tab'), press('a'), press('Escape'), press('ArrowLeft', { altKey: true }), press('ArrowDown', { ctrlKey: true }),
      press('Enter', { ctrlKey: true }), press('ArrowRight', { shiftKey: true }), press('Home', { metaKey: true })]) {
      expect(seatKeyAction(p), JSON.stringify(p)).toBeUndefined();
    }
  });
});

describe('the seat navigator', () => {
  // Row A has 4 seats; row B, one seat to the left of A's first, has 6.
  const hall = [...row('ORCH', 'A', 4, 0, 10), ...row('ORCH', 'B', 6, 12), ...row('BALC', 'A', 3, 100, 20)];
  const nav = createSeatNavigator(hall);

  it('enters the map at the first row\'s left end', () => {
    expect(nav.first).toBe('ORCH-A-1');
    expect(createSeatNavigator([]).first).toBeUndefined();
  });

  it('goes left and right along the row and stops at its ends', () => {
    expect(nav.move('ORCH-A-2', 'right')).toBe('ORCH-A-3');
    expect(nav.move('ORCH-A-2', 'left')).toBe('ORCH-A-1');
    expect(nav.move('ORCH-A-1', 'left')).toBe('ORCH-A-1');
    expect(nav.move('ORCH-A-4', 'right')).toBe('ORCH-A-4');
  });

  it('goes up and down to the nearest seat of the next row, across sections, and stops at the first and last rows', () => {
    expect(nav.move('ORCH-A-1', 'down')).toBe('ORCH-B-2');
    expect(nav.move('ORCH-B-6', 'up')).toBe('ORCH-A-4');
    expect(nav.move('ORCH-B-1', 'up')).toBe('ORCH-A-1');
    expect(nav.move('ORCH-B-4', 'down')).toBe('BALC-A-2');
    expect(nav.move('BALC-A-1', 'up')).toBe('ORCH-B-3');
    expect(nav.move('ORCH-A-3', 'up')).toBe('ORCH-A-3');
    expect(nav.move('BALC-A-2', 'down')).toBe('BALC-A-2');
  });

  it('goes to the row\'s ends with Home and End, and to the map\'s first and last seat', () => {
    expect(nav.move('ORCH-B-3', 'rowStart')).toBe('ORCH-B-1');
    expect(nav.move('ORCH-B-3', 'rowEnd')).toBe('ORCH-B-6');
    expect(nav.move('ORCH-B-3', 'first')).toBe('ORCH-A-1');
    expect(nav.move('ORCH-B-3', 'last')).toBe('BALC-A-3');
  });

  it('follows the screen in a section turned round: seat 1 on the right, row A at the bottom', () => {
    const turned = [...row('ORCH', 'A', 3, 12), ...row('ORCH', 'B', 3, 0)].map((s) => ({ ...s, x: 100 - s.x }));
    // Listed out of order, row A first: the map's order is not the screen's.
    const shuffled = [turned[1], turned[4], turned[0], turned[5], turned[2], turned[3]] as NavigableSeat[];
    const turnedNav = createSeatNavigator(shuffled);
    expect(turnedNav.first).toBe('ORCH-B-3');
    expect(turnedNav.move('ORCH-A-2', 'right')).toBe('ORCH-A-1');
    expect(turnedNav.move('ORCH-A-2', 'rowStart')).toBe('ORCH-A-3');
    expect(turnedNav.move('ORCH-A-2', 'up')).toBe('ORCH-B-2');
    expect(turnedNav.move('ORCH-B-1', 'down')).toBe('ORCH-A-1');
  });

  it('follows the screen in a section turned a quarter: up and down along a row, left and right across rows', () => {
    /** A row running down the screen at `x`, seat 1 at the top (`downwards`) or at the bottom. */
    const column = (label: string, x: number, downwards: boolean): NavigableSeat[] =>
      Array.from({ length: 3 }, (_, i) => ({ id: `L1-${label}-${i + 1}`, section: 'L1', row: label, number: i + 1, x, y: downwards ? 10 + i * 10 : 30 - i * 10 }));
    // As the arena's left block turned 90°: row A nearest the floor on the right, B and C to its left.
    const left = createSeatNavigator([...column('A', 50, true), ...column('B', 38, true), ...column('C', 26, true)]);
    expect(left.move('L1-A-1', 'down')).toBe('L1-A-2');
    expect(left.move('L1-A-2', 'up')).toBe('L1-A-1');
    // ArrowRight had gone to the next seat down the screen, ArrowDown to the row on the left.
    expect(left.move('L1-A-2', 'left')).toBe('L1-B-2');
    expect(left.move('L1-B-2', 'right')).toBe('L1-A-2');
    expect(left.move('L1-A-2', 'right')).toBe('L1-A-2');
    expect(left.move('L1-A-3', 'rowStart')).toBe('L1-A-1');
    expect(left.first).toBe('L1-C-1');
    // Turned the other way (seat 1 at the bottom), down still goes down the screen.
    const right = createSeatNavigator([...column('A', 26, false), ...column('B', 38, false)]);
    expect(right.move('L1-A-3', 'down')).toBe('L1-A-2');
    expect(right.move('L1-A-1', 'up')).toBe('L1-A-2');
    expect(right.move('L1-A-2', 'right')).toBe('L1-B-2');
  });

  it('knows nothing of seats off the map', () => {
    expect(nav.move('FLOOR-GA-1', 'right')).toBeUndefined();
  });
});
