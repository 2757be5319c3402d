/**
 * The live state of one event's seats in the browser: a `snapshot` sets every seat, then each
 * `change` batch is applied exactly once and in `seq` order. A batch already seen is ignored (the
 * server may repeat one across a reconnect); a batch that skips a `seq` means this copy can no
 * longer be trusted, and the caller reconnects for a fresh snapshot.
 */
import type { Availability, SeatChangeBatch, SeatStatusValue } from '@stream-seat/contracts';

export type ApplyResult =
  | { kind: 'applied'; seatIds: string[] }
  | { kind: 'duplicate' }
  | { kind: 'gap'; expected: number; got: number };

export interface SeatBoard {
  /** The change number the board reflects; undefined before the first snapshot. */
  readonly seq: number | undefined;
  status(seatId: string): SeatStatusValue | undefined;
  applySnapshot(snapshot: Pick<Availability, 'seq' | 'seats'>): string[];
  applyChange(batch: Pick<SeatChangeBatch, 'seq' | 'changes'>): ApplyResult;
  /** How many of the given seats are AVAILABLE. */
  countAvailable(seatIds: Iterable<string>): number;
  /** Every seat id the board knows, general-admission units included. */
  seatIds(): IterableIterator<string>;
}

export function createSeatBoard(): SeatBoard {
  const seats = new Map<string, SeatStatusValue>();
  let seq: number | undefined;

  return {
    get seq() {
      return seq;
    },
    status: (seatId) => seats.get(seatId),
    applySnapshot(snapshot) {
      seats.clear();
      for (const [seatId, status] of Object.entries(snapshot.seats)) seats.set(seatId, status);
      seq = snapshot.seq;
      return [...seats.keys()];
    },
    applyChange(batch) {
      if (seq === undefined) return { kind: 'gap', expected: 1, got: batch.seq };
      if (batch.seq <= seq) return { kind: 'duplicate' };
      if (batch.seq !== seq + 1) return { kind: 'gap', expected: seq + 1, got: batch.seq };
      for (const change of batch.changes) seats.set(change.seatId, change.status);
      seq = batch.seq;
      return { kind: 'applied', seatIds: batch.changes.map((c) => c.seatId) };
    },
    countAvailable(seatIds) {
      let n = 0;
      for (const id of seatIds) if (seats.get(id) === 'AVAILABLE') n++;
      return n;
    },
    seatIds: () => seats.keys(),
  };
}
