import { describe, expect, it } from 'vitest';
import { createSeatBoard } from '../src/seat-board.js';

const snapshot = { seq: 7, seats: { A1: 'AVAILABLE', A2: 'AVAILABLE', A3: 'HELD' } as const };

describe('the browser seat board', () => {
  it('takes every seat from a snapshot and the seq it reflects', () => {
    const board = createSeatBoard();
    expect(board.seq).toBeUndefined();
    expect(board.applySnapshot(snapshot).sort()).toEqual(['A1', 'A2', 'A3']);
    expect(board.seq).toBe(7);
    expect(board.status('A3')).toBe('HELD');
    expect(board.countAvailable(['A1', 'A2', 'A3', 'nope'])).toBe(2);
  });

  it('applies the next change and reports the seats it touched', () => {
    const board = createSeatBoard();
    board.applySnapshot(snapshot);
    expect(board.applyChange({ seq: 8, changes: [{ seatId: 'A1', status: 'HELD' }, { seatId: 'A3', status: 'BOOKED' }] })).toEqual({
      kind: 'applied',
      seatIds: ['A1', 'A3'],
    });
    expect(board.status('A1')).toBe('HELD');
    expect(board.status('A3')).toBe('BOOKED');
    expect(board.seq).toBe(8);
  });

  it('ignores a change it already has (a repeat across a reconnect)', () => {
    const board = createSeatBoard();
    board.applySnapshot(snapshot);
    board.applyChange({ seq: 8, changes: [{ seatId: 'A1', status: 'HELD' }] });
    expect(board.applyChange({ seq: 8, changes: [{ seatId: 'A1', status: 'AVAILABLE' }] })).toEqual({ kind: 'duplicate' });
    expect(board.applyChange({ seq: 5, changes: [{ seatId: 'A1', status: 'AVAILABLE' }] })).toEqual({ kind: 'duplicate' });
    expect(board.status('A1')).toBe('HELD');
    expect(board.seq).toBe(8);
  });

  it('refuses a change that skips one, leaving the board as it was', () => {
    const board = createSeatBoard();
    board.applySnapshot(snapshot);
    expect(board.applyChange({ seq: 9, changes: [{ seatId: 'A2', status: 'HELD' }] })).toEqual({ kind: 'gap', expected: 8, got: 9 });
    expect(board.status('A2')).toBe('AVAILABLE');
    expect(board.seq).toBe(7);
  });

  it('treats a change before any snapshot as a gap', () => {
    expect(createSeatBoard().applyChange({ seq: 1, changes: [] })).toEqual({ kind: 'gap', expected: 1, got: 1 });
  });

  it('starts over from a newer snapshot, forgetting seats it no longer lists', () => {
    const board = createSeatBoard();
    board.applySnapshot(snapshot);
    board.applySnapshot({ seq: 20, seats: { A1: 'BOOKED' } });
    expect(board.seq).toBe(20);
    expect(board.status('A2')).toBeUndefined();
    expect([...board.seatIds()]).toEqual(['A1']);
  });
});
