import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventTestApp, type EventTestApp } from './event-test-app.js';

describe.each(testDialects())('GET /api/events on %s', (dialect) => {
  let t: EventTestApp;

  beforeAll(async () => {
    t = await createEventTestApp(dialect);
    const now = Date.now();
    await t.database.db
      .insertInto('venues')
      .values({ id: 'v1', organizer_id: 'olga', name: 'Hall', city: 'Lyon', capacity: 10, layout_json: '{}', seatmap_json: '{}', created_at: now })
      .execute();
    await t.database.db
      .insertInto('events')
      .values(
        [1, 2, 3].map((n) => ({
          id: `e${n}`,
          organizer_id: 'olga',
          venue_id: 'v1',
          name: `Show ${n}`,
          status: n === 2 ? ('DRAFT' as const) : ('ON_SALE' as const),
          starts_at: now + n * 86_400_000,
          currency: 'EUR',
          prices_json: '{"A":4500}',
          sales_start_at: null,
          sales_end_at: null,
          max_seats_per_order: 10,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  });
  afterAll(() => t.close());

  it('pages through events in start order with an opaque cursor', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/events?limit=2' });
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((e: { id: string }) => e.id)).toEqual(['e1', 'e2']);
    const cursor = first.json().nextCursor as string;
    const second = await t.app.inject({ method: 'GET', url: `/api/events?limit=2&cursor=${cursor}` });
    expect(second.json()).toMatchObject({ items: [{ id: 'e3', prices: { A: 4500 } }], nextCursor: null });
  });

  it('filters by status', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/events?status=DRAFT' });
    expect(res.json().items.map((e: { id: string }) => e.id)).toEqual(['e2']);
  });

  it('rejects a forged cursor and an out-of-range limit with 400s naming the field', async () => {
    const forged = await t.app.inject({ method: 'GET', url: '/api/events?cursor=bm9wZQ' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().detail).toMatch(/^cursor/);
    const limit = await t.app.inject({ method: 'GET', url: '/api/events?limit=1000' });
    expect(limit.statusCode).toBe(400);
    expect(limit.json().detail).toMatch(/limit/);
  });

  it('is ready when its database answers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks).toEqual({ startup: 'UP', database: 'UP' });
  });
});
