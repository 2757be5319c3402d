import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraft, createEventTestApp, createVenue, type EventTestApp, smallLayout } from './event-test-app.js';

interface VenueBody {
  id: string;
  organizerId: string;
  capacity: number;
  tiers: string[];
  seatMap: { bounds: { width: number; height: number }; sections: Array<{ id: string; kind: string; capacity: number }>; seats: Array<{ id: string; x: number; y: number }> };
}

describe.each(testDialects())('venues on %s', (dialect) => {
  let t: EventTestApp;
  beforeAll(async () => {
    t = await createEventTestApp(dialect);
  });
  afterAll(() => t.close());

  const post = async (payload: unknown, sub = 'olga', headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/venues', headers: { ...(await t.auth(sub)), ...headers }, payload: payload as object });
  const fieldsOf = (res: { json(): unknown }) => (res.json() as { errors?: Array<{ field: string }> }).errors?.map((e) => e.field);

  it('creates a venue from a layout, with seat ids, coordinates inside the bounds, and its capacity', async () => {
    const res = await post(smallLayout());
    expect(res.statusCode).toBe(201);
    const venue = res.json() as VenueBody;
    expect(venue).toMatchObject({ organizerId: 'olga', capacity: 56, tiers: ['A', 'B', 'GA'] });
    expect(venue.seatMap.seats).toHaveLength(16);
    expect(venue.seatMap.seats.map((s) => s.id)).toContain('BALC-A-6');
    expect(new Set(venue.seatMap.seats.map((s) => s.id)).size).toBe(16);
    const { width, height } = venue.seatMap.bounds;
    expect(venue.seatMap.seats.every((s) => s.x >= 0 && s.x <= width && s.y >= 0 && s.y <= height)).toBe(true);
    expect(venue.seatMap.sections.find((s) => s.id === 'FLOOR')).toMatchObject({ kind: 'general', capacity: 40 });
    // Location names the venue, where its organiser reads it back.
    expect(res.headers['location']).toBe(`/api/venues/${venue.id}`);
    const read = await t.app.inject({ method: 'GET', url: String(res.headers['location']), headers: await t.auth('olga') });
    expect((read.json() as VenueBody).id).toBe(venue.id);
  });

  it('shows a venue to its organiser and admins, and 404 to others until an event on it is on sale', async () => {
    const id = await createVenue(t, 'olga');
    const get = async (headers: Record<string, string>) => (await t.app.inject({ method: 'GET', url: `/api/venues/${id}`, headers })).statusCode;
    expect(await get(await t.auth('olga'))).toBe(200);
    expect(await get(await t.auth('root', 'admin'))).toBe(200);
    expect(await get(await t.auth('oscar'))).toBe(404);
    expect(await get({})).toBe(404);

    // A draft on it, cancelled before it went on sale, never was public: nor is the venue.
    const cancelledDraft = await createDraft(t, 'olga', id);
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${cancelledDraft}/cancel`, headers: await t.auth('olga') })).statusCode).toBe(200);
    expect(await get({})).toBe(404);
    expect(await get(await t.auth('oscar'))).toBe(404);

    const eventId = await createDraft(t, 'olga', id);
    await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/publish`, headers: await t.auth('olga') });
    expect(await get({})).toBe(200);
  });

  it('stores a venue at every name and size limit, whose 16.5 MB seat map an INSERT of JSON took past MariaDB’s default max_allowed_packet, and serves it whole', async () => {
    // 100 sections of one 1,000-seat row (10,000 units long), with the longest section ids, row
    // labels and tiers, ten abreast and far enough apart that no seat lies on another.
    const sections = Array.from({ length: 100 }, (_, i) => ({
      id: `SECTIONLONGID${String(i).padStart(3, '0')}`,
      name: `${'N'.repeat(97)}${String(i).padStart(3, '0')}`,
      tier: `TIER_${i}_`.padEnd(32, 'X'),
      rows: [{ label: 'ROWLBL00', seats: 1000, curve: 1.37, offset: 0.33 }],
      rotation: 0.33 + i / 100,
      position: { x: -99_999.7 + (i % 10) * 11_000, y: -99_999.3 + Math.floor(i / 10) * 2_000 },
    }));
    const created = await post({ name: 'Every limit', sections });
    expect(created.statusCode, created.body.slice(0, 300)).toBe(201);
    const venue = created.json() as VenueBody;
    expect(venue.seatMap.seats).toHaveLength(100_000);
    const stored = await t.database.db.selectFrom('venues').select(['seatmap_json', 'seatmap_gz']).where('id', '=', venue.id).executeTakeFirstOrThrow();
    // Gzipped only: the map's JSON, its quotes escaped, made an INSERT of more than 16 MiB.
    expect(stored.seatmap_json).toBe('');
    expect(Buffer.byteLength(created.body)).toBeGreaterThan(16_000_000);
    expect(stored.seatmap_gz?.byteLength).toBeLessThan(2 * 1024 * 1024);
    const read = await t.app.inject({ method: 'GET', url: `/api/venues/${venue.id}`, headers: await t.auth('olga') });
    expect(read.statusCode).toBe(200);
    expect(read.body).toBe(created.body);
  }, 60_000);

  it('serves a venue with an ETag (304 for the tag held), compressed when asked, private until an event on it is on sale', async () => {
    const id = await createVenue(t, 'olga', smallLayout('Tagged hall'));
    const get = async (headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: `/api/venues/${id}`, headers: { ...(await t.auth('olga')), ...headers } });
    const plain = await get();
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('private, no-cache');
    const etag = String(plain.headers['etag']);
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(plain.headers['vary']).toContain('accept-encoding');
    const again = await get({ 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // In brotli, under a tag of its own, the same JSON.
    const br = await get({ 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['etag']).not.toBe(etag);
    expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(plain.body);
    expect((await get({ 'accept-encoding': 'br', 'if-none-match': String(br.headers['etag']) })).statusCode).toBe(304);
    // Public once an event on it is on sale: anyone reads it, and shared caches may keep it.
    const eventId = await createDraft(t, 'olga', id);
    await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/publish`, headers: await t.auth('olga') });
    const anyone = await t.app.inject({ method: 'GET', url: `/api/venues/${id}` });
    expect(anyone.statusCode).toBe(200);
    expect(anyone.headers['cache-control']).toBe('public, max-age=60, must-revalidate');
    expect(anyone.headers['etag']).toBe(etag);
    expect(anyone.body).toBe(plain.body);
    // Still no one else's before that: a tag held is no way in.
    const other = await createVenue(t, 'olga', smallLayout('Private hall'));
    const otherTag = String((await t.app.inject({ method: 'GET', url: `/api/venues/${other}`, headers: await t.auth('olga') })).headers['etag']);
    expect((await t.app.inject({ method: 'GET', url: `/api/venues/${other}`, headers: { 'if-none-match': otherTag } })).statusCode).toBe(404);
  });

  it('keeps a small seat map as JSON too, beside its gzip, for the release before (a rolling deploy, a rollback)', async () => {
    const created = await post(smallLayout('Both ways hall'));
    const venue = created.json() as VenueBody;
    const stored = await t.database.db.selectFrom('venues').select(['seatmap_json', 'seatmap_gz']).where('id', '=', venue.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.seatmap_json)).toEqual(venue.seatMap);
    expect(JSON.parse(gunzipSync(stored.seatmap_gz as Buffer).toString('utf8'))).toEqual(venue.seatMap);
    // What that release answers: the summary with the JSON spliced in (views.ts venueJson), as now.
    const read = await t.app.inject({ method: 'GET', url: `/api/venues/${venue.id}`, headers: await t.auth('olga') });
    expect(read.body).toBe(created.body);
  });

  it('reads a venue stored before its seat map was gzipped from its JSON', async () => {
    // The creation's answer: nothing read (or kept in memory) yet.
    const created = await post(smallLayout('Older hall'));
    const id = (created.json() as VenueBody).id;
    const seatMap = JSON.stringify((created.json() as VenueBody).seatMap);
    // As migration 006 found it: the JSON, and no gzip.
    await t.database.db.updateTable('venues').set({ seatmap_json: seatMap, seatmap_gz: null }).where('id', '=', id).execute();
    const read = await t.app.inject({ method: 'GET', url: `/api/venues/${id}`, headers: await t.auth('olga') });
    expect(read.statusCode).toBe(200);
    expect(read.body).toBe(created.body);
  });

  it('keeps organisers whose names differ only in case or a trailing space apart (exact text on MySQL too)', async () => {
    const venueId = await createVenue(t, 'CaseOrg', smallLayout('Case hall'));
    const eventId = await createDraft(t, 'CaseOrg', venueId);
    for (const other of ['caseorg', 'CaseOrg ']) {
      const headers = await t.auth(other);
      const venues = await t.app.inject({ method: 'GET', url: '/api/venues', headers });
      expect(venues.statusCode).toBe(200);
      expect(venues.json().items).toEqual([]);
      const drafts = await t.app.inject({ method: 'GET', url: '/api/events?mine=true&status=DRAFT', headers });
      expect(drafts.json().items.map((e: { id: string }) => e.id)).not.toContain(eventId);
    }
    const own = await t.app.inject({ method: 'GET', url: '/api/events?mine=true&status=DRAFT', headers: await t.auth('CaseOrg') });
    expect(own.json().items.map((e: { id: string }) => e.id)).toContain(eventId);
  });

  it('bounds the seats an organiser’s venues hold in all: 409 naming the figures, nothing stored; admins are not counted', async () => {
    // smallLayout holds 56 seats and places: two fit under 150, a third does not.
    const small = await createEventTestApp(dialect, { venueSeatsPerOrganizer: 150 });
    try {
      const create = async (sub: string, role: 'organizer' | 'admin' = 'organizer') =>
        small.app.inject({ method: 'POST', url: '/api/venues', headers: await small.auth(sub, role), payload: smallLayout() as object });
      expect((await create('quinta')).statusCode).toBe(201);
      expect((await create('quinta')).statusCode).toBe(201);
      const third = await create('quinta');
      expect(third.statusCode).toBe(409);
      expect(third.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(third.json()).toMatchObject({ type: expect.stringMatching(/venue-seat-quota$/), seatsHeld: 112, seatsAdded: 56, seatLimit: 150 });
      const listed = await small.app.inject({ method: 'GET', url: '/api/venues', headers: await small.auth('quinta') });
      expect(listed.json().items).toHaveLength(2);
      // Counted before the seat map is built (seconds of CPU for a large venue, which an organiser
      // over the quota had spent sending venues refused in the end): a layout whose sections are
      // drawn on each other, found only once its map is built, is refused for the quota first.
      const stacked = { name: 'Stacked', sections: ['L', 'R'].map((id) => ({ id, name: id, tier: 'A', position: { x: 0, y: 0 }, rows: [{ label: 'A', seats: 20 }] })) };
      const overQuota = await small.app.inject({ method: 'POST', url: '/api/venues', headers: await small.auth('quinta'), payload: stacked });
      expect(overQuota.json()).toMatchObject({ status: 409, type: expect.stringMatching(/venue-seat-quota$/), seatsAdded: 40 });
      const withRoom = await small.app.inject({ method: 'POST', url: '/api/venues', headers: await small.auth('sara'), payload: stacked });
      expect(withRoom.statusCode, withRoom.body).toBe(400);
      // Sent twice at once under one key with room for one venue: one venue, both answered with it
      // (the second had been a 409, its quota count seeing the first's venue).
      const once = { ...(await small.auth('tara')), 'idempotency-key': 'twice-at-once' };
      expect((await create('tara')).statusCode).toBe(201);
      const both = await Promise.all([0, 1].map(() => small.app.inject({ method: 'POST', url: '/api/venues', headers: once, payload: smallLayout() as object })));
      expect(both.map((answer) => answer.statusCode)).toEqual([201, 201]);
      expect(new Set(both.map((answer) => (answer.json() as { id: string }).id)).size).toBe(1);
      // Another organiser has a quota of their own; an admin is not counted.
      expect((await create('rosa')).statusCode).toBe(201);
      for (let i = 0; i < 3; i++) expect((await create('root', 'admin')).statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('keeps to the quota under venues created at once: never more seats than it allows, whatever wins', async () => {
    // 56 seats each: four fit under 250, twenty sent at once.
    const small = await createEventTestApp(dialect, { venueSeatsPerOrganizer: 250 });
    try {
      const headers = await small.auth('racer');
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => small.app.inject({ method: 'POST', url: '/api/venues', headers, payload: smallLayout(`Race ${i}`) as object })),
      );
      const statuses = answers.map((answer) => answer.statusCode);
      // A 409 is the quota's, or (MySQL) others' locks outlasting the retries: either way nothing stored.
      expect(statuses.filter((status) => status !== 201 && status !== 409), JSON.stringify(statuses)).toEqual([]);
      const listed = await small.app.inject({ method: 'GET', url: '/api/venues?limit=100', headers });
      const held = (listed.json().items as Array<{ capacity: number }>).reduce((sum, venue) => sum + venue.capacity, 0);
      expect(held).toBeLessThanOrEqual(250);
      expect(statuses.filter((status) => status === 201)).toHaveLength(listed.json().items.length);
      expect(listed.json().items.length).toBeGreaterThanOrEqual(1);
    } finally {
      await small.close();
    }
  });

  it('lists only the caller’s venues, page by page', async () => {
    for (const name of ['P1', 'P2', 'P3']) await createVenue(t, 'paula', smallLayout(name));
    const first = await t.app.inject({ method: 'GET', url: '/api/venues?limit=2', headers: await t.auth('paula') });
    expect(first.statusCode).toBe(200);
    const page1 = first.json() as { items: Array<{ name: string; organizerId: string }>; nextCursor: string };
    const second = await t.app.inject({ method: 'GET', url: `/api/venues?limit=2&cursor=${page1.nextCursor}`, headers: await t.auth('paula') });
    const names = [...page1.items, ...(second.json() as { items: Array<{ name: string }> }).items].map((v) => v.name);
    expect(names.sort()).toEqual(['P1', 'P2', 'P3']);
    expect(page1.items.every((v) => v.organizerId === 'paula')).toBe(true);
  });

  it('needs an organiser token to create', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/venues', payload: smallLayout() })).statusCode).toBe(401);
    expect((await post(smallLayout(), 'bob', { authorization: `Bearer ${await t.token('bob', 'buyer')}` })).statusCode).toBe(403);
  });

  it('names the field of a duplicate section id or row label, a wrong type, a missing field, a bad id', async () => {
    const dupSection = await post({ ...smallLayout(), sections: [...smallLayout().sections, { id: 'orch', name: 'X', tier: 'A', capacity: 3 }] });
    expect(dupSection.statusCode).toBe(400);
    expect(dupSection.headers['content-type']).toMatch(/problem\+json/);
    expect(fieldsOf(dupSection)).toEqual(['sections.3.id']);

    const dupRow = await post({ name: 'V', sections: [{ id: 'S', name: 'S', tier: 'A', rows: [{ label: 'A', seats: 2 }, { label: 'A', seats: 3 }] }] });
    expect(fieldsOf(dupRow)).toEqual(['sections.0.rows.1.label']);

    const wrongType = await post({ name: 'V', sections: [{ id: 'S', name: 'S', tier: 'A', rows: [{ label: 'A', seats: 'ten' }] }] });
    expect(wrongType.statusCode).toBe(400);
    expect(fieldsOf(wrongType)).toEqual(['sections.0.rows.0.seats']);

    const missing = await post({ sections: [{ id: 'S', name: 'S', tier: 'A', capacity: 5 }] });
    expect(fieldsOf(missing)).toEqual(['name']);

    const dashed = await post({ name: 'V', sections: [{ id: 'A-B', name: 'S', tier: 'A', capacity: 5 }] });
    expect(fieldsOf(dashed)).toEqual(['sections.0.id']);

    // Section ids and tiers become keys of counts and prices: no name every object answers to.
    for (const reserved of ['__proto__', 'constructor', 'toString']) {
      const section = await post({ name: 'V', sections: [{ id: reserved, name: 'S', tier: 'A', capacity: 5 }] });
      expect(fieldsOf(section), reserved).toEqual(['sections.0.id']);
      expect(JSON.stringify(section.json())).toContain('JavaScript objects reserve');
      expect(fieldsOf(await post({ name: 'V', sections: [{ id: 'S', name: 'S', tier: reserved, capacity: 5 }] })), reserved).toEqual(['sections.0.tier']);
    }

    // A misspelt option would be dropped from the stored layout: it is named instead.
    const misspelt = await post({ name: 'V', sections: [{ id: 'S', name: 'S', tier: 'A', rows: [{ label: 'A', seats: 4, curv: 2 }] }] });
    expect(misspelt.statusCode).toBe(400);
    expect(fieldsOf(misspelt)).toEqual(['sections.0.rows.0.curv']);

    // Names people read: no control characters, lone surrogates (stored as U+FFFD) or bidi overrides.
    // Nor names of nothing visible: zero-width spaces and joiners, a Hangul filler, a blank Braille cell.
    for (const name of ['Hall\u0000', '\ud800', 'Hall \u202egnol', '\u200b\u200b', '\u2060\ufeff\u200d', '\u3164', '\u2800 \u200b', '\u2065', '\u{E0080}\u115F', '\u202e']) {
      expect(fieldsOf(await post({ name, sections: [{ id: 'S', name: 'S', tier: 'A', capacity: 5 }] })), JSON.stringify(name)).toEqual(['name']);
    }
    expect(fieldsOf(await post({ name: 'V', city: 'Ly\u0007on', sections: [{ id: 'S', name: 'S', tier: 'A', capacity: 5 }] }))).toEqual(['city']);
    // One line of text: no line or paragraph separator, noncharacter or byte order mark (a probe's were stored).
    for (const city of ['a\u2028b', 'a\u2029b', 'Lyon\uFFFE', 'Ly\uFDD0on', 'Ly\uFEFFon']) {
      expect(fieldsOf(await post({ name: 'V', city, sections: [{ id: 'S', name: 'S', tier: 'A', capacity: 5 }] })), JSON.stringify(city)).toEqual(['city']);
    }
    // A soft hyphen is a hyphenation hint in long words: kept.
    expect((await post({ name: 'Konzert\u00ADhaus', sections: [{ id: 'S', name: 'S', tier: 'A', capacity: 5 }] })).statusCode).toBe(201);
    expect((await post({ name: 'Salle 👩‍👩‍👧 Été', sections: [{ id: 'S', name: 'S', tier: 'A', capacity: 5 }] })).statusCode).toBe(201);
  });

  it('refuses coordinates beyond ±100,000 with a 400 naming the field, and writes nothing', async () => {
    const count = async () =>
      Number((await t.database.db.selectFrom('venues').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const section = { id: 'S', name: 'S', tier: 'A', rows: [{ label: 'A', seats: 2 }] };
    const farStage = await post({ name: 'Far', stage: { x: 1e308, y: 0 }, sections: [section] });
    expect(farStage.statusCode).toBe(400);
    expect(farStage.headers['content-type']).toMatch(/problem\+json/);
    expect(fieldsOf(farStage)).toEqual(['stage.x']);
    expect((farStage.json() as { detail: string }).detail).toMatch(/^stage\.x: /);

    const apart = await post({
      name: 'Apart',
      sections: [
        { ...section, position: { x: -1.7e308, y: 0 } },
        { ...section, id: 'T', name: 'T', position: { x: 0, y: 1.7e308 } },
      ],
    });
    expect(apart.statusCode).toBe(400);
    expect(fieldsOf(apart)).toEqual(['sections.0.position.x', 'sections.1.position.y']);
    expect(await count()).toBe(before);

    // At the limits the map is still drawable: finite bounds, every seat inside them.
    const edges = await post({
      name: 'Edges',
      stage: { x: -100_000, y: 100_000 },
      sections: [
        { ...section, position: { x: -100_000, y: -100_000 } },
        { ...section, id: 'T', name: 'T', position: { x: 100_000, y: 100_000 } },
      ],
    });
    expect(edges.statusCode).toBe(201);
    const map = (edges.json() as VenueBody).seatMap;
    expect(map.bounds.width).toBeGreaterThan(200_000);
    expect(Number.isFinite(map.bounds.width) && Number.isFinite(map.bounds.height)).toBe(true);
    expect(map.seats.every((s) => s.x >= 0 && s.y >= 0 && s.x <= map.bounds.width && s.y <= map.bounds.height)).toBe(true);
  });

  it('refuses seats drawn on top of each other with a 400 naming the row, and writes nothing', async () => {
    const count = async () =>
      Number((await t.database.db.selectFrom('venues').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const section = { id: 'S', name: 'S', tier: 'A', position: { x: 0, y: 0 }, rows: [{ label: 'A', seats: 4 }] };
    const stacked = await post({ name: 'Stacked', sections: [section, { ...section, id: 'T', name: 'T' }] });
    expect(stacked.statusCode).toBe(400);
    expect(stacked.headers['content-type']).toMatch(/problem\+json/);
    expect(fieldsOf(stacked)).toEqual(['sections.1.rows.0']);
    expect((stacked.json() as { detail: string }).detail).toMatch(/^sections\.1\.rows\.0: seat T-A-1 would be drawn on seat S-A-1/);
    const floor = { id: 'FLOOR', name: 'Floor', tier: 'GA', capacity: 20, position: { x: 0, y: 0 }, size: { width: 40, height: 20 } };
    const covered = await post({ name: 'Covered', sections: [section, floor] });
    expect(covered.statusCode).toBe(400);
    expect(fieldsOf(covered)).toEqual(['sections.1']);
    expect(await count()).toBe(before);
    // Side by side, as sections without a position are placed, both are taken.
    const apart = await post({ name: 'Apart', sections: [{ ...section, position: undefined }, { ...floor, position: undefined }] });
    expect(apart.statusCode).toBe(201);
  });

  it('refuses a layout over 100,000 places with a 400 naming sections, and writes nothing', async () => {
    const before = await t.database.db.selectFrom('venues').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = Array.from({ length: 101 }, (_, i) => ({ label: `R${i}`, seats: 1_000 }));
    const res = await post({ name: 'Huge', sections: [{ id: 'S', name: 'S', tier: 'A', rows }] });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(['sections']);
    const after = await t.database.db.selectFrom('venues').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('accepts a 100,000-seat layout', async () => {
    const sections = Array.from({ length: 10 }, (_, s) => ({
      id: `S${s}`,
      name: `Block ${s}`,
      tier: s < 5 ? 'A' : 'B',
      rows: Array.from({ length: 100 }, (_, r) => ({ label: `R${r}`, seats: 100 })),
    }));
    const res = await post({ name: 'Stadium', sections });
    expect(res.statusCode).toBe(201);
    expect((res.json() as VenueBody).seatMap.seats).toHaveLength(100_000);
  });

  it('creates once per Idempotency-Key: the same body gets the first venue, another body a 422', async () => {
    const key = { 'idempotency-key': 'venue-key-1' };
    const first = await post(smallLayout('Idem'), 'olga', key);
    const again = await post(smallLayout('Idem'), 'olga', key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.json() as VenueBody).id).toBe((first.json() as VenueBody).id);
    expect(again.headers['location']).toBe(`/api/venues/${(first.json() as VenueBody).id}`);

    const other = await post(smallLayout('Other'), 'olga', key);
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/problem\+json/);

    // Keys are per caller: another organiser's same key creates their own venue.
    const oscars = await post(smallLayout('Idem'), 'oscar', key);
    expect((oscars.json() as VenueBody).id).not.toBe((first.json() as VenueBody).id);
  });

  it('creates one venue for concurrent requests with the same key', async () => {
    const count = async () =>
      Number((await t.database.db.selectFrom('venues').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const key = { 'idempotency-key': 'venue-race' };
    const responses = await Promise.all([1, 2, 3, 4].map(() => post(smallLayout('Race'), 'rita', key)));
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(new Set(responses.map((r) => (r.json() as VenueBody).id)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });
});
