import { describe, expect, it } from 'vitest';
import type { OutboxRepository } from '../db/outbox.repository.js';
import { OUTAGE_LOG_INTERVAL_MS } from '@stream-seat/platform';
import { backoffDelay, createOutboxRelay } from './outbox-relay.js';

describe('the outbox relay while its database is down', () => {
  it('logs the failure once, again once a minute with the count, and the recovery once', async () => {
    let now = 1_000_000;
    let down = true;
    let failures = 0;
    const outbox = {
      claimLease: async () => {
        // An outage's wording changes from one failure to the next.
        if (down) throw new Error(++failures % 2 === 0 ? 'connect ECONNREFUSED 127.0.0.1:3306' : 'connect ETIMEDOUT');
        return true;
      },
      pending: async () => [],
    } as unknown as OutboxRepository;
    const logged: Array<[string, string, Record<string, unknown>]> = [];
    const log = (level: string) => (fields: object, msg: string) => void logged.push([level, msg, fields as Record<string, unknown>]);
    const relay = createOutboxRelay({ outbox, deliver: async () => undefined, pollMs: 1_000, clock: () => now, log: { info: log('info'), warn: log('warn'), error: log('error') } as never });
    for (let i = 0; i < 30; i++) {
      await relay.drain();
      now += 1_000;
    }
    expect(logged.map(([level, msg]) => `${level} ${msg}`)).toEqual(['error outbox relay pass failed']);
    now += OUTAGE_LOG_INTERVAL_MS;
    await relay.drain();
    expect(logged).toHaveLength(2);
    expect(logged[1]?.[2]).toMatchObject({ failedPasses: 31 });
    down = false;
    await relay.drain();
    await relay.drain();
    expect(logged.slice(2).map(([level, msg]) => `${level} ${msg}`)).toEqual(['info outbox relay passes work again']);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt from the base, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, 1_000))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(5, 100, 1_000)).toBe(1_000);
    expect(backoffDelay(60, 100, 1_000)).toBe(1_000);
  });
});
