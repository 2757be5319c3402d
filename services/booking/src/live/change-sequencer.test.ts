import type { SeatChangeBatch } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { createChangeSequencer } from './change-sequencer.js';

const batch = (seq: number): SeatChangeBatch => ({ eventId: 'e1', seq, changes: [{ seatId: `S-${seq}`, status: 'HELD' }] });

function setup(startSeq: number, log: SeatChangeBatch[] = []) {
  const delivered: number[] = [];
  const loads: number[] = [];
  const sequencer = createChangeSequencer({
    eventId: 'e1',
    startSeq,
    ringSize: 3,
    load: async (_eventId, afterSeq, limit) => {
      loads.push(afterSeq);
      return log.filter((b) => b.seq > afterSeq).slice(0, limit);
    },
    deliver: (b) => delivered.push(b.seq),
  });
  return { sequencer, delivered, loads };
}

describe('the change sequencer', () => {
  it('delivers in order and drops duplicates', async () => {
    const { sequencer, delivered } = setup(0);
    for (const seq of [1, 2, 2, 1, 3]) sequencer.offer(batch(seq));
    await sequencer.idle();
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('repairs a gap from the change log before delivering what came after it', async () => {
    const log = [1, 2, 3, 4, 5].map(batch);
    const { sequencer, delivered, loads } = setup(1, log);
    sequencer.offer(batch(4)); // 2 and 3 were lost
    sequencer.offer(batch(5));
    await sequencer.idle();
    expect(delivered).toEqual([2, 3, 4, 5]);
    expect(loads).toEqual([1]);
  });

  it('puts batches that arrive out of order back in order', async () => {
    const log = [1, 2, 3].map(batch);
    const { sequencer, delivered } = setup(0, log);
    sequencer.offer(batch(2));
    sequencer.offer(batch(1));
    sequencer.offer(batch(3));
    await sequencer.idle();
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('answers resumption from its bounded ring, or says it cannot', async () => {
    const { sequencer } = setup(0);
    for (const seq of [1, 2, 3, 4, 5]) sequencer.offer(batch(seq));
    await sequencer.idle();
    expect(sequencer.since(3)?.map((b) => b.seq)).toEqual([4, 5]);
    expect(sequencer.since(5)).toEqual([]);
    expect(sequencer.since(1)).toBeUndefined(); // 2 fell out of the 3-batch ring
  });

  it('catches up with the database when a batch never arrived at all', async () => {
    const log = [1, 2, 3].map(batch);
    const { sequencer, delivered } = setup(1, log);
    sequencer.catchUp(3);
    await sequencer.idle();
    expect(delivered).toEqual([2, 3]);
    sequencer.catchUp(3);
    await sequencer.idle();
    expect(delivered).toEqual([2, 3]);
  });
});
