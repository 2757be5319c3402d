import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotencyRepository, FORGET_BATCH, IDEMPOTENCY_KEYS_KEPT_MS } from '../src/db/idempotency.repository.js';
import { createEventTestApp, type EventTestApp } from './event-test-app.js';

describe.each(testDialects())('forgotten Idempotency-Keys on %s', (dialect) => {
  let t: EventTestApp;
  beforeAll(async () => {
    t = await createEventTestApp(dialect);
  });
  afterAll(() => t.close());

  const keys = () => t.database.db.selectFrom('idempotency_keys').select(['id', 'created_at']).orderBy('id').execute();

  it('forgets every key older than the cutoff, over several batches, and none younger', async () => {
    const now = Date.now();
    const cutoff = now - IDEMPOTENCY_KEYS_KEPT_MS;
    // Two batches and a part of one, older than the cutoff by a millisecond up to a week; a few younger, one exactly at it.
    const old = Array.from({ length: 2 * FORGET_BATCH + 7 }, (_, i) => ({ id: `old-${String(i).padStart(5, '0')}`, created_at: cutoff - 1 - i * 600_000 }));
    const young = [cutoff, cutoff + 1, now].map((created_at, i) => ({ id: `young-${i}`, created_at }));
    const rows = [...old, ...young].map((row) => ({ ...row, request_hash: 'h', resource_id: 'r', status_code: 201, response_json: null }));
    for (let i = 0; i < rows.length; i += 200) await t.database.db.insertInto('idempotency_keys').values(rows.slice(i, i + 200)).execute();
    expect(await keys()).toHaveLength(old.length + young.length);

    await createIdempotencyRepository(t.database.db).forgetOlderThan(cutoff);
    expect(await keys()).toEqual(young.map(({ id, created_at }) => ({ id, created_at })));
  });
});
