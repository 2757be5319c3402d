import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { testDialects } from '@stream-seat/db';
import { createCachedBodies } from '../src/catalogue/cached-bodies.js';
import { createEventSeatMaps } from '../src/catalogue/event-seat-map.js';
import { createLruCache, createSeatMapCache } from '../src/catalogue/seat-map.cache.js';
import type { SeatMapTemplate } from '../src/catalogue/seat-map-template.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraft, createEventTestApp, createVenue, type EventTestApp } from './event-test-app.js';

interface SeatMapBody {
  eventId: string;
  currency: string;
  bounds: { width: number; height: number };
  stage: { x: number; y: number };
  sections: Array<{ id: string; priceCents: number; kind: string; capacity: number }>;
  seats: Array<{ id: string; section: string; row: string; number: number; x: number; y: number; tier: string; priceCents: number }>;
}

describe.each(testDialects())('GET /api/events/{id}/seatmap on %s', (dialect) => {
  let t: EventTestApp;
  let venueId: string;
  beforeAll(async () => {
    t = await createEventTestApp(dialect);
    venueId = await createVenue(t, 'olga');
  });
  afterAll(() => t.close());

  const get = (id: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: `/api/events/${id}/seatmap`, headers });
  const publish = async (id: string) => t.app.inject({ method: 'POST', url: `/api/events/${id}/publish`, headers: await t.auth('olga') });

  it('lists every seat with its coordinates, tier and the event price of that tier', async () => {
    const id = await createDraft(t, 'olga', venueId);
    await publish(id);
    const res = await get(id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const map = res.json() as SeatMapBody;
    expect(map).toMatchObject({ eventId: id, venueId, currency: 'EUR' });
    expect(map.seats).toHaveLength(16);
    expect(map.seats.find((s) => s.id === 'ORCH-B-3')).toMatchObject({ section: 'ORCH', row: 'B', number: 3, tier: 'A', priceCents: 6000 });
    expect(map.seats.find((s) => s.id === 'BALC-A-1')).toMatchObject({ tier: 'B', priceCents: 4000 });
    expect(map.sections.find((s) => s.id === 'FLOOR')).toMatchObject({ kind: 'general', capacity: 40, priceCents: 2500 });
    expect(map.seats.every((s) => s.x >= 0 && s.x <= map.bounds.width && s.y >= 0 && s.y <= map.bounds.height)).toBe(true);
  });

  it('carries an ETag and Cache-Control, and answers If-None-Match with 304', async () => {
    const id = await createDraft(t, 'olga', venueId);
    await publish(id);
    const first = await get(id);
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toMatch(/public/);
    const cached = await get(id, { 'if-none-match': etag });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    expect(cached.headers['etag']).toBe(etag);
    const stale = await get(id, { 'if-none-match': '"something-else"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(first.body);
  });

  it('compresses for a client that accepts it, each coding a representation with its own ETag', async () => {
    const id = await createDraft(t, 'olga', venueId);
    await publish(id);
    const identity = await get(id);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers['vary']).toMatch(/accept-encoding/i);
    const tags = new Set([identity.headers['etag']]);
    for (const [acceptEncoding, coding, decode] of [
      ['gzip, deflate, br, zstd', 'br', brotliDecompressSync],
      ['gzip;q=1, br;q=0.5', 'gzip', gunzipSync],
      ['br;q=0, gzip;q=0, deflate', undefined, (body: Buffer) => body],
      // A refusal stands against `*`.
      ['br;q=0, *', 'gzip', gunzipSync],
    ] as const) {
      const res = await get(id, { 'accept-encoding': acceptEncoding });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding'], acceptEncoding).toBe(coding);
      expect(res.headers['vary']).toMatch(/accept-encoding/i);
      expect(decode(res.rawPayload).toString('utf8')).toBe(identity.body);
      if (coding) expect(res.rawPayload.byteLength).toBeLessThan(identity.rawPayload.byteLength / 3);
      tags.add(res.headers['etag']);
      // The tag it was given revalidates it, with the same Accept-Encoding.
      const again = await get(id, { 'accept-encoding': acceptEncoding, 'if-none-match': res.headers['etag'] as string });
      expect(again.statusCode).toBe(304);
    }
    // identity, br and gzip: three tags (the third and fourth requests got identity and gzip again).
    expect(tags.size).toBe(3);
    // A tag of another coding does not stand for this one: the client gets the body.
    const other = await get(id, { 'accept-encoding': 'br', 'if-none-match': identity.headers['etag'] as string });
    expect(other.statusCode).toBe(200);
    expect(other.headers['content-encoding']).toBe('br');
  });

  it('compresses a version once for a crowd asking at once, and then serves it from the cache', async () => {
    const id = await createDraft(t, 'olga', venueId);
    await publish(id);
    const maps = createEventSeatMaps({
      db: t.database.db,
      bodies: createCachedBodies(createSeatMapCache(1 << 20)),
      templates: createLruCache<SeatMapTemplate>(1 << 20, (template) => template.bytes),
    });
    const version = await maps.version(id, undefined);
    // Every compression makes a buffer of its own: one buffer for all is one compression.
    const crowd = await Promise.all(Array.from({ length: 8 }, () => version.body('br')));
    expect(new Set(crowd.map((b) => b.coding))).toEqual(new Set(['br']));
    expect(new Set(crowd.map((b) => b.bytes)).size).toBe(1);
    expect((await version.body('br')).bytes).toBe(crowd[0]?.bytes);
    expect((await (await maps.version(id, undefined)).body('br')).bytes).toBe(crowd[0]?.bytes);
  });

  it('keeps only what clients asked for, and serves identity beyond two compressions at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await createDraft(t, 'olga', venueId);
      await publish(id);
      ids.push(id);
    }
    const cache = createSeatMapCache(1 << 20);
    const maps = createEventSeatMaps({ db: t.database.db, bodies: createCachedBodies(cache), templates: createLruCache<SeatMapTemplate>(1 << 20, (template) => template.bytes) });
    const versions = await Promise.all(ids.map((id) => maps.version(id, undefined)));
    // Three events' maps asked for in brotli at once: two compress, the third is sent as identity.
    const bodies = await Promise.all(versions.map((v) => v.body('br')));
    expect(bodies.map((b) => b.coding)).toEqual(['br', 'br', 'identity']);
    // A compressed map is kept without the identity bytes it was made from; the one sent as
    // identity is kept as identity.
    expect(cache.get(versions[0]?.etag as string)).toBeUndefined();
    expect(cache.get(versions[2]?.etag as string)).toBe(bodies[2]?.bytes);
    // The next request for the third gets its brotli.
    expect((await versions[2]?.body('br'))?.coding).toBe('br');
  });

  it("changes the ETag and the prices when a draft's prices change", async () => {
    const id = await createDraft(t, 'olga', venueId);
    const auth = await t.auth('olga');
    const before = await get(id, auth);
    expect(before.headers['cache-control']).toMatch(/private/);
    await t.app.inject({ method: 'PATCH', url: `/api/events/${id}`, headers: auth, payload: { prices: { A: 7000, B: 4000, GA: 2500 } } });
    const after = await get(id, { ...auth, 'if-none-match': before.headers['etag'] as string });
    expect(after.statusCode).toBe(200);
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
    expect((after.json() as SeatMapBody).seats.find((s) => s.id === 'ORCH-A-1')?.priceCents).toBe(7000);
  });

  it("keeps a draft's seat map from everyone but its organiser", async () => {
    const id = await createDraft(t, 'olga', venueId);
    expect((await get(id)).statusCode).toBe(404);
    expect((await get(id, await t.auth('oscar'))).statusCode).toBe(404);
    expect((await get(id, await t.auth('olga'))).statusCode).toBe(200);
    expect((await get('no-such-event')).statusCode).toBe(404);
  });
});
