/** Two buses on one real Redis stand for two booking instances (runs when REDIS_URL is set). */
import { randomBytes } from 'node:crypto';
import type { SeatChangeBatch } from '@stream-seat/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import type { SeatChangeBus } from './seat-change-bus.js';
import { createRedisSeatChangeBus } from './redis-seat-change-bus.js';

const redisUrl = process.env['REDIS_URL'];

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe.runIf(redisUrl)('the Redis seat-change bus', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  const buses: SeatChangeBus[] = [];
  afterAll(() => Promise.all(buses.map((b) => b.close())));

  it('delivers a batch published on one instance to listeners on another, and locally at once', async () => {
    const a = await createRedisSeatChangeBus({ url: redisUrl ?? '', prefix });
    const b = await createRedisSeatChangeBus({ url: redisUrl ?? '', prefix });
    buses.push(a, b);
    const onA: number[] = [];
    const onB: number[] = [];
    const other: number[] = [];
    a.subscribe('ev-1', (batch) => onA.push(batch.seq));
    b.subscribe('ev-1', (batch) => onB.push(batch.seq));
    b.subscribe('ev-2', (batch) => other.push(batch.seq));
    await new Promise((r) => setTimeout(r, 100)); // SUBSCRIBE is asynchronous

    const batch: SeatChangeBatch = { eventId: 'ev-1', seq: 7, changes: [{ seatId: 'A-1', status: 'HELD' }] };
    a.publish(batch);
    expect(onA).toEqual([7]); // local delivery does not wait for Redis
    await eventually(() => onB.length > 0 && onA.length > 1);
    expect(onB).toEqual([7]);
    expect(onA).toEqual([7, 7]); // the echo: the sequencer drops it as a duplicate
    expect(other).toEqual([]);
  });

  it('stops delivering after the last listener of an event unsubscribes', async () => {
    const a = await createRedisSeatChangeBus({ url: redisUrl ?? '', prefix });
    const b = await createRedisSeatChangeBus({ url: redisUrl ?? '', prefix });
    buses.push(a, b);
    const onB: number[] = [];
    const off = b.subscribe('ev-3', (batch) => onB.push(batch.seq));
    await new Promise((r) => setTimeout(r, 100));
    a.publish({ eventId: 'ev-3', seq: 1, changes: [] });
    await eventually(() => onB.length > 0);
    off();
    await new Promise((r) => setTimeout(r, 100));
    a.publish({ eventId: 'ev-3', seq: 2, changes: [] });
    await new Promise((r) => setTimeout(r, 200));
    expect(onB).toEqual([1]);
  });
});
