import { describe, expect, it } from 'vitest';
import { createOutageLog } from './outage-log.js';

describe('an outage log', () => {
  const setup = () => {
    let now = 1_000;
    const lines: string[] = [];
    const log = createOutageLog({
      clock: () => now,
      intervalMs: 60_000,
      onFailing: (error, { failures, failingForMs }) => lines.push(`failing ${String(error)} ×${failures} for ${failingForMs}`),
      onRecovered: ({ failures, failedForMs }) => lines.push(`recovered after ${failures} in ${failedForMs}`),
    });
    return { log, lines, advance: (ms: number) => (now += ms) };
  };

  it('says the first failure, then the latest once a minute with the count, then the recovery once', () => {
    const { log, lines, advance } = setup();
    log.failed('ECONNREFUSED');
    for (let i = 0; i < 10; i++) {
      advance(5_000);
      log.failed('ECONNREFUSED');
    }
    expect(lines).toEqual(['failing ECONNREFUSED ×1 for 0']);
    advance(10_000);
    log.failed('ETIMEDOUT');
    expect(lines.at(-1)).toBe('failing ETIMEDOUT ×12 for 60000');
    expect(log.failing).toBe(true);
    advance(1_000);
    log.succeeded();
    log.succeeded();
    expect(lines.slice(2)).toEqual(['recovered after 12 in 61000']);
    expect(log.failing).toBe(false);
  });

  it('starts a new outage after a recovery, and says nothing while all goes well', () => {
    const { log, lines, advance } = setup();
    log.succeeded();
    expect(lines).toEqual([]);
    log.failed('a');
    log.succeeded();
    advance(1_000);
    log.failed('b');
    expect(lines).toEqual(['failing a ×1 for 0', 'recovered after 1 in 0', 'failing b ×1 for 0']);
  });
});
