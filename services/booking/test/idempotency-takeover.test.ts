/**
 * An Idempotency-Key whose request died with its instance (`kill -9`): the reservation's request
 * says every few seconds that it is still running, and one silent for SILENT_AFTER_MS is taken
 * over by the next repeat — it had been held for two minutes, each repeat waiting its 20 s for a
 * 409. A request still running keeps its key however long it takes. On SQLite and, when MYSQL_URL
 * is set, on MariaDB.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { testDialects } from '@stream-seat/db';
import { Conflict } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { HEARTBEAT_MS, SILENT_AFTER_MS } from '../src/routes/idempotency.js';
import { type IdempotentRoute, startIdempotentRoute } from './idempotent-route.js';

describe.each(testDialects())('an Idempotency-Key whose request died, on %s', (dialect) => {
  let route: IdempotentRoute;
  let runs = 0;
  /** Added to the idempotency clock: time passing without waiting for it. */
  let offset = 0;
  const clock = () => Date.now() + offset;
  /** What each run does before it answers (by its number). */
  let during: (run: number) => Promise<void> = async () => undefined;
  /** The digest the route gives this test's request (its route and body), as a dead instance's reservation has it. */
  const itsHash = createHash('sha256').update('POST /things\n{"n":1}').digest('hex');
  const post = (key: string) => route.app.inject({ method: 'POST', url: '/things', headers: { 'idempotency-key': key }, payload: { n: 1 } });

  beforeAll(async () => {
    route = await startIdempotentRoute({
      dialect,
      name: 'idempotency_takeover',
      path: '/things',
      clock,
      run: async () => {
        const run = ++runs;
        await during(run);
        return { status: 201, body: { run } };
      },
    });
  });
  afterAll(() => route?.close());

  it('hands the key of a request gone silent to the next repeat within seconds', async () => {
    // Reserved by an instance that died at once: no answer, no heartbeat.
    expect(await route.keys.reserve('buyer', 'died', itsHash, clock())).toBe('reserved');
    const before = runs;
    const repeat = post('died');
    await sleep(100);
    offset += SILENT_AFTER_MS + 1_000;
    const answer = await repeat;
    // Before, it waited its 5 s (the time moved on), then heard 409 "in progress": for two minutes.
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json()).toEqual({ run: before + 1 });
  });

  it('refuses another body under the key of a request gone silent, rather than taking it over', async () => {
    expect(await route.keys.reserve('buyer', 'died-other', itsHash, clock())).toBe('reserved');
    offset += SILENT_AFTER_MS + 1_000;
    const before = runs;
    const other = await route.app.inject({ method: 'POST', url: '/things', headers: { 'idempotency-key': 'died-other' }, payload: { n: 2 } });
    // Before, it took the key over and ran: the silent request, back, heard 422 for its own body.
    expect(other.statusCode, other.body).toBe(422);
    expect(runs).toBe(before);
    // The same body takes it over.
    expect((await post('died-other')).statusCode).toBe(201);
  });

  it('keeps the key of a request still running, however long it runs, and tells a repeat when to ask again', async () => {
    const before = runs;
    let release: () => void = () => undefined;
    during = async (run) => {
      if (run === before + 1) await new Promise<void>((resolve) => (release = resolve));
    };
    try {
      const first = post('slow');
      await sleep(100);
      // Its reservation is older than SILENT_AFTER_MS by the time a repeat comes, and it has said
      // it is running since (without that heartbeat the repeat takes the key over at once).
      offset += SILENT_AFTER_MS - 1_000;
      await sleep(HEARTBEAT_MS + 500);
      // A repeat waits its 5 s (time moved on: at once) and is told it is still running.
      const waiting = post('slow');
      await sleep(100);
      offset += 5_100;
      const refused = await waiting;
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.headers['retry-after']).toBe('1');
      release();
      expect((await first).json()).toEqual({ run: before + 1 });
      // Nothing ran twice: a repeat now replays the first answer.
      const replay = await post('slow');
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(runs).toBe(before + 1);
    } finally {
      release();
      during = async () => undefined;
    }
  });

  for (const [failure, fail] of [
    ['a 409', () => new Conflict('hold-not-active', 'Hold not active', 'ordered by the repeat')],
    ['a 500', () => new Error('the database went away')],
  ] as const) {
    it(`answers with the key's answer when its request ends in ${failure} after a repeat took the key over`, async () => {
      const key = `overtaken-${failure.replace(' ', '')}`;
      let release: () => void = () => undefined;
      const before = runs;
      during = async (run) => {
        if (run !== before + 1) return;
        await new Promise<void>((resolve) => (release = resolve));
        throw fail();
      };
      try {
        const first = post(key);
        const seen = await eventually(() => route.keys.find('buyer', key), 5_000, 'the reservation');
        // Meanwhile the request went silent; a repeat on another instance took the key over and answered.
        const at = clock() + SILENT_AFTER_MS + 1_000;
        expect(await route.keys.takeOver('buyer', key, seen, itsHash, at)).toBe(true);
        expect(await route.keys.complete({ owner: 'buyer', key, reservedAt: at }, { status: 201, body: { run: 'the repeat' } })).toBe(true);
        release();
        const answer = await first;
        // Before, it answered its own failure: a 409 "hold ordered" for the order its own repeat made.
        expect(answer.statusCode, answer.body).toBe(201);
        expect(answer.json()).toEqual({ run: 'the repeat' });
        expect(answer.headers['idempotent-replayed']).toBe('true');
      } finally {
        release();
        during = async () => undefined;
      }
    });
  }

  for (const made of ['made', 'taken over'] as const) {
    it(`judges a reservation ${made} by the release before (no heartbeat) by its age, as that release did`, async () => {
      const key = `old-${made}`;
      expect(await route.keys.reserve('buyer', key, itsHash, clock())).toBe('reserved');
      // Made: no alive_at at all. Taken over: that release moved created_at on, and left the
      // alive_at of the reservation before — a silent one, to a heartbeat's reading.
      const aliveAt = made === 'made' ? null : clock() - 60_000;
      await route.database.db.updateTable('idempotency_keys').set({ alive_at: aliveAt }).where('idem_key', '=', key).execute();
      const waiting = post(key);
      await sleep(100);
      offset += 6_000;
      expect((await waiting).statusCode).toBe(409);
      offset += 120_000;
      expect((await post(key)).statusCode).toBe(201);
    });
  }
});
