import { testDialects } from '@stream-seat/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signDevToken } from '@stream-seat/platform';
import { createDraft, createEventTestApp, createVenue, type EventTestApp, inDays, smallLayout, TEST_JWT_SECRET } from './event-test-app.js';

interface Page {
  items: Array<{ id: string; name: string; status: string; venue: { city: string } }>;
  nextCursor: string | null;
}

describe.each(testDialects())('GET /api/events on %s', (dialect) => {
  let t: EventTestApp;
  let ids: Record<string, string>;
  let lyonVenue: string;
  const now = Date.now();

  // Each test gets its own database with the same six events, so that none sees what another added.
  beforeEach(async () => {
    t = await createEventTestApp(dialect);
    ids = {};
    const lyon = await createVenue(t, 'olga');
    lyonVenue = lyon;
    const paris = await createVenue(t, 'olga', { ...smallLayout('Opera'), city: 'Paris' });
    const oscars = await createVenue(t, 'oscar', smallLayout('Barn'));
    const make = async (key: string, sub: string, venue: string, days: number, then?: 'publish' | 'cancel') => {
      ids[key] = await createDraft(t, sub, venue, { name: `${key} night`, startsAt: inDays(days, now) });
      if (then) await t.app.inject({ method: 'POST', url: `/api/events/${ids[key]}/publish`, headers: await t.auth(sub) });
      if (then === 'cancel') await t.app.inject({ method: 'POST', url: `/api/events/${ids[key]}/cancel`, headers: await t.auth(sub) });
    };
    await make('Jazz', 'olga', lyon, 1, 'publish');
    await make('Opera', 'olga', paris, 2, 'publish');
    await make('Secret', 'olga', lyon, 3);
    await make('Rock', 'oscar', oscars, 4, 'publish');
    await make('Hidden', 'oscar', oscars, 5);
    await make('Gone', 'olga', lyon, 6, 'cancel');
  });
  afterEach(() => t.close());

  const list = async (query = '', sub?: string, role?: 'organizer' | 'admin' | 'buyer') => {
    const res = await t.app.inject({ method: 'GET', url: `/api/events${query}`, headers: sub ? await t.auth(sub, role) : {} });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Page;
  };
  const names = (page: Page) => page.items.map((e) => e.name.replace(' night', ''));

  it('shows anyone the events on sale and cancelled, in start order, but no drafts', async () => {
    expect(names(await list())).toEqual(['Jazz', 'Opera', 'Rock', 'Gone']);
  });

  it("adds the caller's own drafts for an organiser, and every draft for an admin", async () => {
    expect(names(await list('', 'olga'))).toEqual(['Jazz', 'Opera', 'Secret', 'Rock', 'Gone']);
    expect(names(await list('', 'oscar'))).toEqual(['Jazz', 'Opera', 'Rock', 'Hidden', 'Gone']);
    expect(names(await list('', 'root', 'admin'))).toHaveLength(6);
    expect(names(await list('?mine=true', 'oscar'))).toEqual(['Rock', 'Hidden']);
  });

  it("shows no draft to a buyer's token, even one with its organiser's name (drafts are the organiser role's)", async () => {
    expect(names(await list('', 'oscar', 'buyer'))).toEqual(['Jazz', 'Opera', 'Rock', 'Gone']);
    expect(names(await list('?status=DRAFT', 'oscar', 'buyer'))).toEqual([]);
    expect(names(await list('?mine=true', 'oscar', 'buyer'))).toEqual(['Rock']);
  });

  const problemField = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode, url).toBe(400);
    return (res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
  };

  it('filters by status, start time and text in the name or the city', async () => {
    expect(names(await list('?status=CANCELLED'))).toEqual(['Gone']);
    expect(names(await list('?status=DRAFT'))).toEqual([]);
    expect(names(await list('?status=DRAFT', 'olga'))).toEqual(['Secret']);
    expect(names(await list(`?from=${inDays(1.5, now)}&to=${inDays(4.5, now)}`))).toEqual(['Opera', 'Rock']);
    expect(names(await list('?q=ROCK'))).toEqual(['Rock']);
    expect(names(await list('?q=paris'))).toEqual(['Opera']);
    expect(names(await list('?q=%25'))).toEqual([]);
    // Each word, in any order and spacing, in the name or the city; none across the two.
    expect(names(await list(`?q=${encodeURIComponent('PARIS  opera')}`))).toEqual(['Opera']);
    expect(names(await list(`?q=${encodeURIComponent('night rock')}`))).toEqual(['Rock']);
    expect(names(await list(`?q=${encodeURIComponent('rock paris')}`))).toEqual([]);
    expect(await problemField('/api/events?q=night%0Alyon')).toEqual(['querystring.q']);
    expect(await problemField('/api/events?q=%CC%81')).toEqual(['querystring.q']);
  });

  it('pages with an opaque cursor until nextCursor is null', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Page = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`, 'root', 'admin');
      seen.push(...names(page));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(['Jazz', 'Opera', 'Secret', 'Rock', 'Hidden', 'Gone']);
  });

  it('answers a forged cursor, a bad limit, bad times and a bare mine with problems naming the field', async () => {
    const detail = async (url: string, status = 400) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(status);
      return (res.json() as { detail: string }).detail;
    };
    expect(await detail('/api/events?cursor=bm9wZQ')).toMatch(/^querystring\.cursor/);
    expect(await detail('/api/events?limit=1000')).toMatch(/limit/);
    // One message, not a second about the year range.
    expect(await detail('/api/events?from=yesterday')).toBe('querystring.from: Invalid ISO datetime');
    // An offset's '+' not encoded arrives as a space: said so.
    expect(await detail('/api/events?from=2027-03-01T21:00:00+01:00')).toMatch(/^querystring\.from: a '\+' in a query string reads as a space: write the offset's \+ as %2B/);
    expect(await detail('/api/events?to=2027-03-01T21:00:00.000+0100')).toMatch(/^querystring\.to: a '\+' in a query string reads as a space/);
    expect((await t.app.inject({ method: 'GET', url: '/api/events?from=2027-03-01T21:00:00%2B01:00' })).statusCode).toBe(200);
    expect(await detail(`/api/events?from=${inDays(3)}&to=${inDays(2)}`)).toMatch(/to/);
    expect(await detail('/api/events?status=SOLD_OUT')).toMatch(/status/);
    await detail('/api/events?mine=true', 401);
    // A parameter the API does not know (a typo) is named, not silently ignored.
    expect(await detail('/api/events?satus=DRAFT')).toBe('querystring.satus: is not a known field');
    expect(await detail('/api/events?limit[]=5')).toBe('querystring.limit[]: is not a known field');
  });

  it('answers an id outside the id rule in a path with a 400 naming params.id, on reads and writes alike', async () => {
    const organiser = await t.auth('olga');
    const requests = [
      { method: 'GET', url: '/api/events/a.b' },
      { method: 'GET', url: '/api/events/a~b/seatmap' },
      { method: 'GET', url: '/api/events/a%21b' },
      { method: 'GET', url: '/api/venues/a.b', headers: organiser },
      { method: 'PATCH', url: '/api/events/a.b', headers: organiser, payload: { name: 'x' } },
      { method: 'POST', url: '/api/events/a.b/publish', headers: organiser },
      { method: 'POST', url: '/api/events/a.b/cancel', headers: organiser },
    ] as const;
    for (const request of requests) {
      const res = await t.app.inject(request);
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(400);
      expect(res.json().detail, request.url).toMatch(/^params\.id: must be letters, digits, _ or -/);
    }
    // A well-formed id that names nothing is still a 404.
    expect((await t.app.inject({ method: 'GET', url: '/api/events/no-such-event' })).statusCode).toBe(404);
  });

  it('treats an expired or invalid token on a public read as no token, and still refuses it where a principal is needed', async () => {
    const expired = { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'olga', role: 'organizer' }, -60)}` };
    const forged = { authorization: `Bearer ${await signDevToken('not-the-service-secret-0123456789', { sub: 'olga', role: 'admin' })}` };
    const garbage = { authorization: 'Bearer not-a-jwt' };
    const publicReads = [
      '/api/events',
      `/api/events/${ids['Jazz']}`,
      `/api/events/${ids['Jazz']}/seatmap`,
      `/api/venues/${lyonVenue}`,
    ];
    for (const headers of [expired, forged, garbage]) {
      for (const url of publicReads) {
        const anonymous = await t.app.inject({ method: 'GET', url });
        const res = await t.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(200);
        expect(res.body, url).toBe(anonymous.body);
      }
      // Anonymous, not olga: her draft stays hidden, and `mine` needs a valid token.
      expect((await t.app.inject({ method: 'GET', url: `/api/events/${ids['Secret']}`, headers })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/api/events?mine=true', headers })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/api/venues', headers })).statusCode).toBe(401);
      const create = await t.app.inject({ method: 'POST', url: '/api/venues', headers, payload: smallLayout('Nope') });
      expect(create.statusCode).toBe(401);
    }
  });

  it('answers a caller without a valid token 401 before it looks at the body', async () => {
    for (const [method, url] of [['POST', '/api/venues'], ['POST', '/api/events'], ['POST', '/api/events/x/publish']] as const) {
      const res = await t.app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: '{"name": 42, "typo": true}' });
      expect(res.statusCode, url).toBe(401);
    }
  });

  it('is ready when its database answers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks).toMatchObject({ database: 'UP' });
  });

  it('matches text beyond ASCII whatever its case and accents, on the event as it was last changed', async () => {
    const zurich = await createVenue(t, 'olga', { ...smallLayout('Halle'), city: 'Zürich' });
    const id = await createDraft(t, 'olga', zurich, { name: 'ÉTÉ Festival', startsAt: inDays(7, now) });
    for (const q of ['été', 'ÉTÉ', 'Été', 'ete', 'zurich', 'ZÜRICH']) {
      expect(names(await list(`?q=${encodeURIComponent(q)}`, 'olga')), q).toEqual(['ÉTÉ Festival']);
    }
    const renamed = await t.app.inject({ method: 'PATCH', url: `/api/events/${id}`, headers: await t.auth('olga'), payload: { name: 'Œuvres d’hiver' } });
    expect(renamed.statusCode).toBe(200);
    expect(names(await list(`?q=${encodeURIComponent('été')}`, 'olga'))).toEqual([]);
    expect(names(await list(`?q=${encodeURIComponent('HIVER')}`, 'olga'))).toEqual(['Œuvres d’hiver']);
    expect(names(await list('?q=zurich', 'olga'))).toEqual(['Œuvres d’hiver']);
  });
});
