/**
 * An Idempotency-Key whose request failed with a 5xx because the database went away: the answer
 * is not kept, so the client may try again — and once the database is back, the retry runs at
 * once, instead of waiting for a reservation nobody could remove while it was down (it held the
 * key for two minutes: the wait, then 409 "in progress"). The database is real (SQLite); the
 * repository in front of it fails its first removals, as it does while the database is down.
 */
import { createTestDatabase, type Database, databaseConfigFor, openServiceDatabase, startDatabase, type TestDatabase } from '@stream-seat/db';
import { ServiceUnavailable } from '@stream-seat/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotencyRepository } from '../src/db/idempotency.repository.js';
import { bookingMigrations } from '../src/db/migrations/index.js';
import type { BookingDatabase } from '../src/db/schema.js';
import { createIdempotency } from '../src/routes/idempotency.js';

describe('an Idempotency-Key after the database failed', () => {
  let testDb: TestDatabase;
  let database: Database<BookingDatabase>;
  let app: FastifyInstance;
  let down = true;
  let failedRemovals = 0;
  let runs = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite', 'idempotency_outage');
    database = openServiceDatabase<BookingDatabase>(databaseConfigFor(testDb.url), testDb.url);
    await startDatabase(database, bookingMigrations(database.dialect));
    const real = createIdempotencyRepository(database.db);
    const keys = {
      ...real,
      async forget(owner: string, key: string) {
        if (down) {
          failedRemovals++;
          throw new ServiceUnavailable('The database is unavailable');
        }
        return real.forget(owner, key);
      },
    };
    const idempotent = createIdempotency({ keys, clock: Date.now, waitMs: 5_000 });
    app = Fastify();
    app.post('/things', async (request, reply) =>
      idempotent(request, reply, { owner: 'buyer', route: 'POST /things', body: request.body }, async () => {
        runs++;
        if (down) throw new ServiceUnavailable('The database is unavailable');
        return { status: 201, body: { run: runs } };
      }),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
    await testDb?.drop();
  });

  it('runs the retry at once when the database is back', async () => {
    const post = () => app.inject({ method: 'POST', url: '/things', headers: { 'idempotency-key': 'k-1' }, payload: { n: 1 } });
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
});
