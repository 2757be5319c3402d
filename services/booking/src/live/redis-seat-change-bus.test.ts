/** Two buses on one real Redis stand for two booking instances (runs when REDIS_URL is set). */
import { randomBytes } from 'node:crypto';
import type { SeatChangeBatch } from '@stream-seat/contracts';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import pTimeout from 'p-timeout';
import { eventually, freePort } from '../../../../tests/support/free-port.js';
import { startTcpGate, type TcpGate } from '../../../../tests/support/tcp-gate.js';
import { startTcpProxy } from '../../../../tests/support/tcp-proxy.js';
import { createRedisSeatChangeBus } from './redis-seat-change-bus.js';
import type { SeatChangeBus } from './seat-change-bus.js';

const redisUrl = process.env['REDIS_URL'] ?? '';

/** The seqs a listener got; `count(n)` resolves once it has n of them. */
function received() {
  const seqs: number[] = [];
  const waiters = new Set<() => void>();
  return {
    seqs,
    listener: (batch: SeatChangeBatch) => {
      seqs.push(batch.seq);
      for (const wake of waiters) wake();
    },
    count: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (seqs.length < n) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}

const batch = (eventId: string, seq: number): SeatChangeBatch => ({ eventId, seq, changes: [{ seatId: 'A-1', status: 'HELD' }] });

describe.runIf(redisUrl)('the Redis seat-change bus', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  const buses: SeatChangeBus[] = [];
  const closing: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    for (const close of closing) await close();
  });
  /** A bus connected to Redis (it connects in the background). */
  const bus = async (url = redisUrl) => {
    const created = createRedisSeatChangeBus({ url, prefix });
    buses.push(created);
    await eventually(async () => (created.degraded?.() === undefined ? true : undefined), 10_000, 'the bus to connect');
    return created;
  };

  it('delivers a batch published on one instance to listeners on another, and locally at once', async () => {
    const [a, b] = [await bus(), await bus()];
    const [onA, onB, other] = [received(), received(), received()];
    const subscriptions = [a.subscribe('ev-1', onA.listener), b.subscribe('ev-1', onB.listener), b.subscribe('ev-2', other.listener)];
    expect(await Promise.all(subscriptions.map((s) => s.ready))).toEqual([true, true, true]);

    a.publish(batch('ev-1', 7));
    expect(onA.seqs).toEqual([7]); // local delivery does not wait for Redis
    // One publisher's messages arrive in order: once ev-2's batch is there, ev-1's came before it.
    a.publish(batch('ev-2', 8));
    await Promise.all([onB.count(1), onA.count(2), other.count(1)]);
    expect(onB.seqs).toEqual([7]);
    expect(onA.seqs).toEqual([7, 7]); // the echo: the sequencer drops it as a duplicate
    expect(other.seqs).toEqual([8]);
  });

  it('stops delivering after the last listener of an event unsubscribes', async () => {
    const [a, b] = [await bus(), await bus()];
    const [onB, sentinel] = [received(), received()];
    const subscription = b.subscribe('ev-3', onB.listener);
    expect(await Promise.all([subscription.ready, b.subscribe('ev-4', sentinel.listener).ready])).toEqual([true, true]);
    a.publish(batch('ev-3', 1));
    await onB.count(1);
    subscription.unsubscribe();
    a.publish(batch('ev-3', 2));
    a.publish(batch('ev-4', 1)); // after ev-3's second batch, from the same publisher
    await sentinel.count(1);
    expect(onB.seqs).toEqual([1]);
    // And Redis itself stops sending the channel to B (not only B's listener list forgets it).
    const direct = new Redis(redisUrl);
    try {
      await eventually(async () => ((await direct.pubsub('NUMSUB', `${prefix}ev-3`))[1] === 0 ? true : undefined), 5_000, 'B to leave the channel');
    } finally {
      await direct.quit();
    }
  });

  it('is ready only once Redis has the subscription: a batch published before that is not delivered', async () => {
    const gate: TcpGate = await startTcpGate(redisUrl);
    const direct = new Redis(redisUrl);
    closing.push(() => gate.close(), () => direct.quit());
    const a = await bus(gate.url);
    const onA = received();
    gate.hold(); // a's SUBSCRIBE now waits in the gate
    const subscription = a.subscribe('ev-5', onA.listener);
    let ready: boolean | undefined;
    void subscription.ready.then((live) => (ready = live));
    await gate.received(`${prefix}ev-5`);
    // Redis has no subscriber yet, so the bus must not say it is ready.
    expect(await direct.publish(`${prefix}ev-5`, JSON.stringify(batch('ev-5', 1)))).toBe(0);
    expect(ready).toBeUndefined();
    gate.release();
    expect(await subscription.ready).toBe(true);
    expect(await direct.publish(`${prefix}ev-5`, JSON.stringify(batch('ev-5', 2)))).toBe(1);
    await onA.count(1);
    expect(onA.seqs).toEqual([2]);
  });

  it('closes at once while Redis is away, a channel subscribed (its QUIT had waited behind the SUBSCRIBE for good)', async () => {
    const away = createRedisSeatChangeBus({ url: `redis://127.0.0.1:${await freePort()}`, prefix });
    expect(await away.subscribe('ev-7', received().listener).ready).toBe(false);
    await expect(pTimeout(away.close(), { milliseconds: 3_000 })).resolves.toBeUndefined();
  });

  it('serves at once while Redis is away at start, says so once however often it fails, and carries changes across once it is back', async () => {
    const target = new URL(redisUrl);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    closing.push(() => proxy.close());
    await proxy.cut();
    const lines: string[] = [];
    const log = { warn: (_fields: object, message: string) => void lines.push(`warn ${message}`), info: (_fields: object, message: string) => void lines.push(`info ${message}`) };
    // Nothing listens. It had waited up to a minute here (the service not listening meanwhile), then thrown.
    const late = createRedisSeatChangeBus({ url: `redis://127.0.0.1:${proxy.port}`, prefix, log });
    buses.push(late);
    expect(late.degraded?.()).toMatch(/^(connecting to Redis|Redis unreachable):/);
    const onLate = received();
    const subscription = late.subscribe('ev-6', onLate.listener);
    expect(await subscription.ready).toBe(false);
    // Its own batches reach its own watchers all the same.
    for (let seq = 1; seq <= 20; seq++) late.publish(batch('ev-6', seq));
    await onLate.count(20);
    // Twenty failed publishes and the refused reconnects: one line (a warning per publish before).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(late.degraded?.()).toMatch(/^Redis unreachable/);
    expect(lines).toEqual(['warn Redis unreachable: other instances’ seat changes reach watchers through the database catch-up meanwhile']);
    // Redis comes back: the bus reconnects and resubscribes by itself, and says so once.
    await proxy.restore();
    const other = await bus();
    await eventually(async () => (late.degraded?.() === undefined ? true : undefined), 10_000, 'the bus to reconnect');
    await eventually(
      async () => {
        other.publish(batch('ev-6', 100));
        await new Promise((resolve) => setTimeout(resolve, 50));
        return onLate.seqs.includes(100) ? true : undefined;
      },
      10_000,
      'a batch of another instance',
    );
    expect(lines.slice(1)).toEqual(['info Redis answers again: seat changes cross instances through it']);
  });
});
