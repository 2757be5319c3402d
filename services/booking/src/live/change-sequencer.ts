/**
 * Puts one event's seat changes in strict `seq` order for this instance's subscribers. Batches can
 * arrive late, twice, or not at all (several booking instances publish through Redis): a
 * duplicate is dropped, and a gap is repaired from the database's change log before anything
 * after it is delivered. The last batches are kept in a bounded ring so that a reconnecting
 * client can resume from `Last-Event-ID` without touching the database.
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';

export type ChangeLoader = (eventId: string, afterSeq: number, limit: number) => Promise<SeatChangeBatch[]>;

export interface SequencerOptions {
  eventId: string;
  /** The seq everything before which is already known (e.g. the inventory's current seq). */
  startSeq: number;
  load: ChangeLoader;
  /** How many recent batches to keep for resumption. */
  ringSize: number;
  deliver: (batch: SeatChangeBatch) => void;
  onRepair?: (missing: number) => void;
  onError?: (error: unknown) => void;
}

export interface ChangeSequencer {
  /** Offers a batch from the bus; delivery happens in seq order, possibly after a repair. */
  offer(batch: SeatChangeBatch): void;
  /** The seq of the last batch delivered. */
  lastSeq(): number;
  /** The batches after `afterSeq` if the ring still holds all of them; undefined otherwise. */
  since(afterSeq: number): SeatChangeBatch[] | undefined;
  /** Anti-entropy: the database says `latestSeq` exists; fetch whatever we have not seen. */
  catchUp(latestSeq: number): void;
  /** Resolves when every offered batch has been delivered or dropped. */
  idle(): Promise<void>;
}

const REPAIR_PAGE = 500;

export function createChangeSequencer(options: SequencerOptions): ChangeSequencer {
  let last = options.startSeq;
  const ring: SeatChangeBatch[] = [];
  /** Batches ahead of `last + 1`, waiting for a repair to fill the gap. */
  const pending = new Map<number, SeatChangeBatch>();
  let work: Promise<void> = Promise.resolve();

  function emit(batch: SeatChangeBatch): void {
    last = batch.seq;
    ring.push(batch);
    if (ring.length > options.ringSize) ring.shift();
    options.deliver(batch);
  }

  function drainPending(): void {
    for (let next = pending.get(last + 1); next; next = pending.get(last + 1)) {
      pending.delete(next.seq);
      emit(next);
    }
    for (const seq of pending.keys()) if (seq <= last) pending.delete(seq);
  }

  async function repair(target = Math.min(...pending.keys())): Promise<void> {
    const missing = target - last - 1;
    options.onRepair?.(missing);
    while (last < target - 1) {
      const batches = await options.load(options.eventId, last, REPAIR_PAGE);
      if (batches.length === 0) break;
      for (const batch of batches) {
        if (batch.seq === last + 1) emit(batch);
      }
      drainPending();
    }
  }

  return {
    offer(batch) {
      if (batch.eventId !== options.eventId) return;
      work = work
        .then(async () => {
          if (batch.seq <= last) return; // a duplicate, or older than what we already have
          if (batch.seq === last + 1) {
            emit(batch);
            drainPending();
            return;
          }
          pending.set(batch.seq, batch);
          await repair();
        })
        .catch((error: unknown) => options.onError?.(error));
    },
    catchUp(latestSeq) {
      work = work
        .then(async () => {
          if (latestSeq > last) await repair(latestSeq + 1);
        })
        .catch((error: unknown) => options.onError?.(error));
    },
    lastSeq: () => last,
    since(afterSeq) {
      if (afterSeq >= last) return [];
      const first = ring[0];
      if (!first || first.seq > afterSeq + 1) return undefined;
      return ring.filter((b) => b.seq > afterSeq);
    },
    idle: () => work,
  };
}
