/**
 * An Idempotency-Key whose request failed with a 5xx because the database went away: the answer
 * is not kept, so the client may try again — and once the database is back, the retry runs at
 * once, instead of waiting for a reservation nobody could remove while it was down (it held the
 * key for two minutes: the wait, then 409 "in progress"). The database is real (SQLite); the
 * repository in front of it fails its first removals, as it does while the database is down.
 */
import { ServiceUnavailable } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { bookingErrorMappers } from '../src/app.js';
import { PaymentTimeout } from '../src/domain/booking-errors.js';
import { type IdempotentRoute, startIdempotentRoute } from './idempotent-route.js';

describe('an Idempotency-Key after the database failed', () => {
  let route: IdempotentRoute;
  let down = true;
  let failedRemovals = 0;
  let runs = 0;
  /** Added to the idempotency clock: time passing without waiting for it. */
  let offset = 0;
  /** What each run does before it answers (by its number). */
  let during: (run: number) => Promise<void> = async () => undefined;

  beforeAll(async () => {
    route = await startIdempotentRoute({
      dialect: 'sqlite',
      name: 'idempotency_outage',
      path: '/things',
      clock: () => Date.now() + offset,
      wrapKeys: (real) => ({
        ...real,
        async forget(...args: Parameters<typeof real.forget>) {
          if (down) {
            failedRemovals++;
            throw new ServiceUnavailable('The database is unavailable');
          }
          return real.forget(...args);
        },
      }),
      run: async () => {
        const run = ++runs;
        await during(run);
        if (down) throw new ServiceUnavailable('The database is unavailable');
        return { status: 201, body: { run } };
      },
    });
  });
  afterAll(() => route?.close());

  it('runs the retry at once when the database is back', async () => {
    const post = () => route.app.inject({ method: 'POST', url: '/things', headers: { 'idempotency-key': 'k-1' }, payload: { n: 1 } });
    expect((await post()).statusCode).toBe(503);
    // The reservation could not be removed while the database was away; it comes back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failedRemovals).toBeGreaterThan(0);
    down = false;
    // Before, the repeat waited its 5 s for the reservation, then heard 409 "in progress".
    const retry = await post();
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.json()).toEqual({ run: 2 });
    // And it is kept now: the next repeat is a replay.
    const replay = await post();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual({ run: 2 });
  });

  it('lets go of its own reservation only, not one a later request took over meanwhile', async () => {
    const post = () => route.app.inject({ method: 'POST', url: '/things', headers: { 'idempotency-key': 'k-2' }, payload: { n: 2 } });
    down = true;
    const first = runs + 1;
    // A runs 10 s, then fails with the database away: its release waits for the database.
    during = async (run) => {
      if (run === first) offset += 10_000;
    };
    expect((await post()).statusCode).toBe(503);
    // A's heartbeat stopped as it failed: a moment later it has been silent long enough, and B
    // takes the reservation over (A counts as gone) and runs slowly; meanwhile the database comes
    // back, and A's release — still trying — tries again.
    offset += 1_000;
    let finishB: () => void = () => undefined;
    let bStarted: () => void = () => undefined;
    const bRunning = new Promise<void>((resolve) => (bStarted = resolve));
    during = async (run) => {
      if (run !== first + 1) return;
      bStarted();
      await new Promise<void>((resolve) => (finishB = resolve));
    };
    const b = post();
    await bRunning;
    down = false;
    await new Promise((resolve) => setTimeout(resolve, 600));
    finishB();
    expect((await b).json()).toEqual({ run: first + 1 });
    // B's answer is the key's: a repeat replays it, nothing runs a third time.
    const repeat = await post();
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.json()).toEqual({ run: first + 1 });
    expect(runs).toBe(first + 1);
  });
});

describe('an Idempotency-Key whose work may have happened, when its answer cannot be recorded', () => {
  let route: IdempotentRoute;
  let down = true;
  let runs = 0;
  let offset = 0;

  beforeAll(async () => {
    // The database goes away after the reservation: neither recording nor removing gets through.
    const unavailable = () => Promise.reject(new ServiceUnavailable('The database is unavailable'));
    route = await startIdempotentRoute({
      dialect: 'sqlite',
      name: 'idempotency_unknown',
      path: '/payments',
      clock: () => Date.now() + offset,
      wrapKeys: (real) => ({
        ...real,
        complete: (...args: Parameters<typeof real.complete>) => (down ? unavailable() : real.complete(...args)),
        forget: (...args: Parameters<typeof real.forget>) => (down ? unavailable() : real.forget(...args)),
      }),
      run: async () => {
        runs++;
        throw new PaymentTimeout(10);
      },
    });
  });
  afterAll(() => route?.close());

  it('keeps the key reserved rather than let a repeat charge again', async () => {
    const post = () => route.app.inject({ method: 'POST', url: '/payments', headers: { 'idempotency-key': 'pay-1' }, payload: { card: 'slow' } });
    expect((await post()).statusCode).toBe(504);
    // The database is back; a repeat waits for the reservation (time moved past its wait) and is
    // told the first is still in progress — it does not run the payment again.
    down = false;
    const repeat = post();
    setTimeout(() => (offset += 6_000), 100);
    const answer = await repeat;
    expect(answer.statusCode, answer.body).toBe(409);
    expect(answer.body).toMatch(/still running/);
    expect(runs).toBe(1);
  });
});

/** What mysql2 throws when a row-lock wait times out. */
const lockWaitTimedOut = () => Object.assign(new Error('Lock wait timeout exceeded; try restarting transaction'), { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 });

describe('an Idempotency-Key whose request met rows other buyers had locked', () => {
  it('judges the failure by the service\'s error mappers (a 503, too busy, not an unknown error): no "unhandled error" logged, the key let go of', async () => {
    const lines: string[] = [];
    let runs = 0;
    const route = await startIdempotentRoute({
      dialect: 'sqlite',
      name: 'idempotency_contended',
      path: '/things',
      clock: Date.now,
      errorMappers: bookingErrorMappers,
      logLines: lines,
      run: async () => {
        runs++;
        throw lockWaitTimedOut();
      },
    });
    try {
      const first = await route.app.inject({ method: 'POST', url: '/things', headers: { 'idempotency-key': 'busy-1' }, payload: { n: 1 } });
      expect(first.statusCode).toBeGreaterThanOrEqual(500);
      // Before: every such hold logged "unhandled error" at error level, then the service's "Too busy".
      expect(lines.filter((line) => line.includes('unhandled error'))).toEqual([]);
      // A 5xx is not kept: the retry runs again.
      await eventually(async () => (await route.keys.find('buyer', 'busy-1')) === undefined || undefined, 5_000, 'the key let go of');
      await route.app.inject({ method: 'POST', url: '/things', headers: { 'idempotency-key': 'busy-1' }, payload: { n: 1 } });
      expect(runs).toBe(2);
    } finally {
      await route.close();
    }
  });
});

describe('an Idempotency-Key whose request committed just as a repeat\'s lock wait ended', () => {
  it('replays the answer the record now holds, rather than telling the repeat to retry', async () => {
    let runs = 0;
    let raced = false;
    /** Time the lock wait took (added to the route's clock). */
    let waited = 0;
    const route = await startIdempotentRoute({
      dialect: 'sqlite',
      name: 'idempotency_answered_in_wait',
      path: '/things',
      clock: () => Date.now() + waited,
      // The repeat's INSERT waits on the key's row lock; the request holding it commits its
      // answer, and the wait ends in a timeout all the same: what the repeat then reads.
      wrapKeys: (real) => ({
        ...real,
        async reserve(owner, key, hash, now) {
          if (raced || key !== 'answered-1') return real.reserve(owner, key, hash, now);
          raced = true;
          expect(await real.reserve(owner, key, hash, now)).toBe('reserved');
          expect(await real.complete({ owner, key, reservedAt: now }, { status: 201, body: { run: 'the first' } })).toBe(true);
          // A wait of 3 s: another would end past the repeat's 5 s deadline.
          waited += 3_000;
          throw lockWaitTimedOut();
        },
      }),
      run: async () => ({ status: 201, body: { run: ++runs } }),
    });
    try {
      const repeat = await route.app.inject({ method: 'POST', url: '/things', headers: { 'idempotency-key': 'answered-1' }, payload: { n: 1 } });
      expect(repeat.statusCode, repeat.body).toBe(201);
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(repeat.json()).toEqual({ run: 'the first' });
      expect(runs).toBe(0);
    } finally {
      await route.close();
    }
  });
});
