import { eventInput } from '@stream-seat/contracts';
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFingerprint } from '../src/domain/request-fingerprint.js';
import { createDraft, createEventTestApp, createVenue, type EventTestApp, inDays } from './event-test-app.js';

interface EventBody {
  id: string;
  status: string;
  organizerId: string;
  name: string;
  prices: Record<string, number>;
  maxSeatsPerOrder: number;
  venue: { id: string; name: string; city: string; capacity: number };
}

describe.each(testDialects())('event lifecycle on %s', (dialect) => {
  let t: EventTestApp;
  let venueId: string;
  let nudges = 0;
  beforeAll(async () => {
    t = await createEventTestApp(dialect, { onOutboxWritten: () => nudges++ });
    venueId = await createVenue(t, 'olga');
  });
  afterAll(() => t.close());

  const call = async (method: 'POST' | 'PATCH' | 'GET', url: string, sub?: string, payload?: object, role?: 'organizer' | 'admin') =>
    t.app.inject({ method, url, headers: sub ? await t.auth(sub, role) : {}, ...(payload ? { payload } : {}) });
  const fieldsOf = (res: { json(): unknown }) => (res.json() as { errors?: Array<{ field: string }> }).errors?.map((e) => e.field);
  const outbox = () => t.database.db.selectFrom('outbox').selectAll().orderBy('seq').execute();
  const eventCount = async () => Number((await t.database.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const base = () => ({ venueId, name: 'Gala', startsAt: inDays(20), currency: 'EUR', prices: { A: 5000 } });

  it('creates a DRAFT with the venue summary and the default of 10 seats per order', async () => {
    const res = await call('POST', '/api/events', 'olga', base());
    expect(res.statusCode).toBe(201);
    expect(res.headers['location']).toBe(`/api/events/${(res.json() as EventBody).id}`);
    expect(res.json()).toMatchObject({
      status: 'DRAFT',
      organizerId: 'olga',
      prices: { A: 5000 },
      maxSeatsPerOrder: 10,
      salesStartAt: null,
      venue: { id: venueId, name: 'Small Hall', city: 'Lyon', capacity: 56 },
    });
  });

  it('answers bad input with a 400 naming the field, and writes nothing', async () => {
    const before = await eventCount();
    const cases: Array<[object, string]> = [
      [{ ...base(), prices: { A: -1 } }, 'prices.A'],
      [{ ...base(), startsAt: 'tomorrow' }, 'startsAt'],
      [{ ...base(), currency: 'euro' }, 'currency'],
      [{ ...base(), currency: 'ZZZ' }, 'currency'],
      [{ ...base(), name: 'Gala\u0000' }, 'name'],
      [{ ...base(), venueId: 'no-such-venue' }, 'venueId'],
      [{ ...base(), prices: { VIP: 100 } }, 'prices.VIP'],
      [{ ...base(), startsAt: inDays(-1) }, 'startsAt'],
      [{ ...base(), salesStartAt: inDays(5), salesEndAt: inDays(2) }, 'salesEndAt'],
      [{ ...base(), salesEndAt: inDays(25) }, 'salesEndAt'],
      [{ ...base(), maxSeatsPerOrder: 0 }, 'maxSeatsPerOrder'],
      [{ name: 'x' }, 'venueId'],
      // A misspelt field is refused by name, not silently dropped (the event would get the default).
      [{ ...base(), maxSeatPerOrder: 4 }, 'maxSeatPerOrder'],
      // Valid ISO 8601 whose offset pushes the instant out of years 0000–9999 in UTC: stored, it
      // would fail every response that shows it (toISOString writes `+010000-…`).
      [{ ...base(), startsAt: '9999-12-31T23:59:59-23:59' }, 'startsAt'],
      [{ ...base(), salesStartAt: '0000-01-01T00:00:00+23:59' }, 'salesStartAt'],
      // The dearest order (highest price × maxSeatsPerOrder) over what an order may cost.
      [{ ...base(), prices: { A: 100_000_000 }, maxSeatsPerOrder: 11 }, 'maxSeatsPerOrder'],
    ];
    for (const [payload, field] of cases) {
      const res = await call('POST', '/api/events', 'olga', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(fieldsOf(res)).toContain(field);
    }
    expect(await eventCount()).toBe(before);
  });

  it("will not put an event in another organiser's venue", async () => {
    const res = await call('POST', '/api/events', 'oscar', base());
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(['venueId']);
  });

  it('changes a draft with PATCH, and refuses unknown fields', async () => {
    const id = await createDraft(t, 'olga', venueId);
    const res = await call('PATCH', `/api/events/${id}`, 'olga', { name: 'Renamed', prices: { A: 1, B: 2, GA: 3 }, maxSeatsPerOrder: 4 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Renamed', prices: { A: 1, B: 2, GA: 3 }, maxSeatsPerOrder: 4 });

    const status = await call('PATCH', `/api/events/${id}`, 'olga', { status: 'ON_SALE' });
    expect(status.statusCode).toBe(400);
    const window = await call('PATCH', `/api/events/${id}`, 'olga', { salesStartAt: inDays(40) });
    expect(fieldsOf(window)).toEqual(['salesStartAt']);
    // The order cap is checked on the event as the patch leaves it: 4 seats at the top price fit,
    // 11 would not — and the refused patch changes nothing.
    const dear = await call('PATCH', `/api/events/${id}`, 'olga', { prices: { A: 100_000_000, B: 2, GA: 3 } });
    expect(dear.statusCode).toBe(200);
    const more = await call('PATCH', `/api/events/${id}`, 'olga', { maxSeatsPerOrder: 11 });
    expect(fieldsOf(more)).toEqual(['maxSeatsPerOrder']);
    const read = await call('GET', `/api/events/${id}`, 'olga');
    expect(read.json()).toMatchObject({ prices: { A: 100_000_000 }, maxSeatsPerOrder: 4 });
  });

  it('publishes only with every tier priced; publishing writes one outbox message and is idempotent', async () => {
    const partial = await createDraft(t, 'olga', venueId, { prices: { A: 100 } });
    const refused = await call('POST', `/api/events/${partial}/publish`, 'olga');
    expect(refused.statusCode).toBe(400);
    expect(fieldsOf(refused)).toEqual(['prices']);

    const id = await createDraft(t, 'olga', venueId);
    // A body is none or {}: a field in it is named, not ignored.
    const withField = await call('POST', `/api/events/${id}/publish`, 'olga', { when: 'now' });
    expect(withField.statusCode).toBe(400);
    expect(fieldsOf(withField)).toEqual(['when']);
    const nudgesBefore = nudges;
    const published = await call('POST', `/api/events/${id}/publish`, 'olga', {});
    expect(published.statusCode).toBe(200);
    expect((published.json() as EventBody).status).toBe('ON_SALE');
    expect(nudges).toBe(nudgesBefore + 1);
    const again = await call('POST', `/api/events/${id}/publish`, 'olga');
    expect(again.statusCode).toBe(200);

    const messages = (await outbox()).filter((m) => JSON.parse(m.payload_json).eventId === id);
    expect(messages.map((m) => m.type)).toEqual(['event.published']);
    expect(JSON.parse(messages[0]!.payload_json)).toMatchObject({ type: 'event.published', eventId: id });

    const patch = await call('PATCH', `/api/events/${id}`, 'olga', { name: 'Too late' });
    expect(patch.statusCode).toBe(409);
    expect(patch.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(patch.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/event-not-draft', status: 409, detail: 'Only a DRAFT event can be changed; this one is ON_SALE', eventStatus: 'ON_SALE' });
  });

  it('takes a bodiless POST sent as application/json as having no body; a route needing one names `body`', async () => {
    const json = { ...(await t.auth('olga')), 'content-type': 'application/json' };
    const id = await createDraft(t, 'olga', venueId);
    const published = await t.app.inject({ method: 'POST', url: `/api/events/${id}/publish`, headers: json });
    expect(published.statusCode, published.body).toBe(200);
    expect((published.json() as EventBody).status).toBe('ON_SALE');
    const cancelled = await t.app.inject({ method: 'POST', url: `/api/events/${id}/cancel`, headers: json });
    expect(cancelled.statusCode, cancelled.body).toBe(200);

    const before = await eventCount();
    const create = await t.app.inject({ method: 'POST', url: '/api/events', headers: json });
    expect(create.statusCode).toBe(400);
    expect(create.headers['content-type']).toMatch(/problem\+json/);
    expect(fieldsOf(create)).toEqual(['body']);
    expect(await eventCount()).toBe(before);
  });

  it('counts undelivered outbox messages in /metrics', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    const line = res.body.split('\n').find((l) => l.startsWith('event_outbox_undelivered_messages'));
    expect(Number(line?.split(' ').at(-1))).toBe((await outbox()).length);
  });

  it('cancels: an event on sale tells booking, a draft does not; a cancelled event stays cancelled', async () => {
    const onSale = await createDraft(t, 'olga', venueId);
    await call('POST', `/api/events/${onSale}/publish`, 'olga');
    const cancelled = await call('POST', `/api/events/${onSale}/cancel`, 'olga');
    expect(cancelled.statusCode).toBe(200);
    expect((cancelled.json() as EventBody).status).toBe('CANCELLED');
    expect((await outbox()).filter((m) => JSON.parse(m.payload_json).eventId === onSale).map((m) => m.type)).toEqual([
      'event.published',
      'event.cancelled',
    ]);
    expect((await call('POST', `/api/events/${onSale}/publish`, 'olga')).statusCode).toBe(409);
    expect((await call('POST', `/api/events/${onSale}/cancel`, 'olga')).statusCode).toBe(200);

    const draft = await createDraft(t, 'olga', venueId);
    expect((await call('POST', `/api/events/${draft}/cancel`, 'olga')).statusCode).toBe(200);
    expect((await outbox()).filter((m) => JSON.parse(m.payload_json).eventId === draft)).toEqual([]);
  });

  it('keeps a draft cancelled before it went on sale private (it was never public); one cancelled after sale stays public', async () => {
    const draft = await createDraft(t, 'olga', venueId);
    const named = (await call('GET', `/api/events/${draft}`, 'olga')).json() as EventBody;
    expect((await call('POST', `/api/events/${draft}/cancel`, 'olga')).statusCode).toBe(200);
    for (const path of [`/api/events/${draft}`, `/api/events/${draft}/seatmap`]) {
      expect((await call('GET', path)).statusCode, path).toBe(404);
      expect((await call('GET', path, 'oscar')).statusCode, path).toBe(404);
      expect((await call('GET', path, 'olga')).statusCode, path).toBe(200);
    }
    // What only its organiser may read is no shared cache's to keep (a CDN before the gateway).
    expect((await call('GET', `/api/events/${draft}/seatmap`, 'olga')).headers['cache-control']).toBe('private, no-cache');
    const listed = async (sub?: string) =>
      ((await call('GET', `/api/events?limit=100&q=${encodeURIComponent(named.name)}`, sub)).json() as { items: EventBody[] }).items.map((e) => e.id);
    expect(await listed()).not.toContain(draft);
    expect(await listed('oscar')).not.toContain(draft);
    expect(await listed('olga')).toContain(draft);

    const onSale = await createDraft(t, 'olga', venueId);
    await call('POST', `/api/events/${onSale}/publish`, 'olga');
    await call('POST', `/api/events/${onSale}/cancel`, 'olga');
    expect((await call('GET', `/api/events/${onSale}`)).statusCode).toBe(200);
    expect(await listed()).toContain(onSale);
  });

  it("hides an organiser's draft from everyone else (404), lets an admin through", async () => {
    const id = await createDraft(t, 'olga', venueId);
    expect((await call('GET', `/api/events/${id}`)).statusCode).toBe(404);
    expect((await call('GET', `/api/events/${id}`, 'oscar')).statusCode).toBe(404);
    expect((await call('PATCH', `/api/events/${id}`, 'oscar', { name: 'Mine now' })).statusCode).toBe(404);
    expect((await call('POST', `/api/events/${id}/publish`, 'oscar')).statusCode).toBe(404);
    expect((await call('POST', `/api/events/${id}/cancel`, 'oscar')).statusCode).toBe(404);
    expect((await call('GET', `/api/events/${id}`, 'olga')).statusCode).toBe(200);
    expect((await call('GET', `/api/events/${id}`, 'root', undefined, 'admin')).statusCode).toBe(200);
    expect((await call('PATCH', `/api/events/${id}`, 'root', { name: 'Fixed by admin' }, 'admin')).statusCode).toBe(200);
  });

  it("keeps an admin's edit to the draft's own organiser's venues, and an admin's new event off an organiser's venue", async () => {
    const id = await createDraft(t, 'olga', venueId);
    // A venue of the admin's own (its subject's).
    const adminVenue = await createVenue(t, 'root');
    // Moved to the admin's venue, the draft had been olga's to neither edit nor publish (400 on a venueId she never sent).
    const moved = await call('PATCH', `/api/events/${id}`, 'root', { venueId: adminVenue }, 'admin');
    expect(moved.statusCode).toBe(400);
    expect(moved.json().errors).toEqual([{ field: 'venueId', message: 'is not a venue of the event’s organizer' }]);
    expect((await call('PATCH', `/api/events/${id}`, 'olga', { name: 'Still mine' })).statusCode).toBe(200);
    const onHers = await call('POST', '/api/events', 'root', base(), 'admin');
    expect(onHers.statusCode).toBe(400);
    expect(fieldsOf(onHers)).toEqual(['venueId']);
  });

  it('applies two PATCHes of one draft sent at once each on top of the other: no edit lost, their sum checked against the rules', async () => {
    for (let trial = 0; trial < 15; trial++) {
      const id = await createDraft(t, 'olga', venueId, { name: `Old ${trial}` });
      // Each fine alone; together the dearest order (100,000,000 × 100) is over the cap.
      const [later, dearer] = await Promise.all([
        call('PATCH', `/api/events/${id}`, 'olga', { startsAt: inDays(45), maxSeatsPerOrder: 100 }),
        call('PATCH', `/api/events/${id}`, 'olga', { prices: { A: 100_000_000, B: 0, GA: 0 } }),
      ]);
      expect([later.statusCode, dearer.statusCode].sort(), `trial ${trial}`).toEqual([200, 400]);
      const stored = (await call('GET', `/api/events/${id}`, 'olga')).json();
      // What the 200 said was saved is what is stored.
      expect(stored, `trial ${trial}`).toMatchObject((later.statusCode === 200 ? later : dearer).json());
      // A rename and another edit at once: both kept, and the event is found by its new name.
      const [renamed, capped] = await Promise.all([
        call('PATCH', `/api/events/${id}`, 'olga', { name: `Quokka${trial}x` }),
        call('PATCH', `/api/events/${id}`, 'olga', { maxSeatsPerOrder: 4 }),
      ]);
      expect([renamed.statusCode, capped.statusCode], `trial ${trial}`).toEqual([200, 200]);
      expect((await call('GET', `/api/events/${id}`, 'olga')).json(), `trial ${trial}`).toMatchObject({ name: `Quokka${trial}x`, maxSeatsPerOrder: 4 });
      const found = (await call('GET', `/api/events?mine=true&q=Quokka${trial}x`, 'olga')).json().items as Array<{ id: string }>;
      expect(found.map((e) => e.id), `trial ${trial}`).toEqual([id]);
    }
  });

  it('saves every one of many edits of one draft sent at once, each on its own version — none refused as busy', async () => {
    const id = await createDraft(t, 'olga', venueId, { name: 'Crowded' });
    const edits = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? { name: `Crowded ${i}` } : { maxSeatsPerOrder: i }));
    // On MariaDB eight at once had lost 7 of 40 to `409 event-busy` (each retried a lost race five times).
    const answers = await Promise.all(edits.map((edit) => call('PATCH', `/api/events/${id}`, 'olga', edit)));
    expect(answers.map((res) => res.statusCode)).toEqual(edits.map(() => 200));
    // Each was written on top of the one before: sixteen versions, and the last one is what is stored.
    const versions = answers.map((res) => res.headers['etag']);
    expect(new Set(versions).size).toBe(edits.length);
    const stored = await call('GET', `/api/events/${id}`, 'olga');
    const last = answers.find((res) => res.headers['etag'] === stored.headers['etag']);
    expect(last?.json()).toEqual(stored.json());
  });

  it("lets nobody change another organiser's event on sale, though everyone may read it", async () => {
    const id = await createDraft(t, 'olga', venueId);
    await call('POST', `/api/events/${id}/publish`, 'olga');
    expect((await call('GET', `/api/events/${id}`)).statusCode).toBe(200);
    expect((await call('POST', `/api/events/${id}/cancel`, 'oscar')).statusCode).toBe(404);
    const buyer = await t.app.inject({
      method: 'POST',
      url: `/api/events/${id}/cancel`,
      headers: { authorization: `Bearer ${await t.token('bob', 'buyer')}` },
    });
    expect(buyer.statusCode).toBe(403);
  });

  it('creates once per Idempotency-Key', async () => {
    const headers = { ...(await t.auth('olga')), 'idempotency-key': 'event-1' };
    const payload = base();
    const first = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload });
    const again = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload });
    expect(again.statusCode).toBe(201);
    expect((again.json() as EventBody).id).toBe((first.json() as EventBody).id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['location']).toBe(`/api/events/${(first.json() as EventBody).id}`);
    const other = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: { ...payload, name: 'Other' } });
    expect(other.statusCode).toBe(422);
  });

  it('replays a create as first answered after the clock moved past what it was checked against', async () => {
    let now = Date.parse('2031-01-01T12:00:00Z');
    const timed = await createEventTestApp(dialect, { clock: () => now });
    try {
      const venue = await createVenue(timed, 'olga');
      const headers = { ...(await timed.auth('olga')), 'idempotency-key': 'starts-soon' };
      // Starting in two seconds: in the future when first sent, in the past by the retry.
      const payload = { venueId: venue, name: 'Soon', startsAt: new Date(now + 2_000).toISOString(), currency: 'EUR', prices: { A: 5000 } };
      const first = await timed.app.inject({ method: 'POST', url: '/api/events', headers, payload });
      expect(first.statusCode, first.body).toBe(201);
      now += 5_000;
      const again = await timed.app.inject({ method: 'POST', url: '/api/events', headers, payload });
      expect(again.statusCode, again.body).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect((again.json() as EventBody).id).toBe((first.json() as EventBody).id);
      // Under a new key it is a new request, checked now.
      const fresh = await timed.app.inject({ method: 'POST', url: '/api/events', headers: { ...headers, 'idempotency-key': 'starts-soon-2' }, payload });
      expect(fresh.statusCode).toBe(400);
      expect(fieldsOf(fresh)).toEqual(['startsAt']);
    } finally {
      await timed.close();
    }
  });

  it('takes the same instant spelled another way (a zone offset, milliseconds) as the same request', async () => {
    const headers = { ...(await t.auth('olga')), 'idempotency-key': 'event-spelled-twice' };
    const startsAt = new Date(Date.parse(inDays(21)) - (Date.parse(inDays(21)) % 1000));
    const first = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: { ...base(), startsAt: startsAt.toISOString().replace('.000Z', 'Z') } });
    expect(first.statusCode).toBe(201);
    // The same instant two hours east of UTC, with milliseconds; and the sales start left out as null.
    const east = new Date(startsAt.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    const again = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: { ...base(), startsAt: east, salesStartAt: null } });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.json() as EventBody).id).toBe((first.json() as EventBody).id);
    // Another instant is another request.
    const later = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: { ...base(), startsAt: new Date(startsAt.getTime() + 1_000).toISOString() } });
    expect(later.statusCode).toBe(422);
  });

  it('replays a key the release before recorded (it digested the body as read, dates as sent) to the same body', async () => {
    const headers = { ...(await t.auth('olga')), 'idempotency-key': 'event-before-upgrade' };
    const payload = base();
    const first = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload });
    expect(first.statusCode).toBe(201);
    // As the release before kept it: the digest of the body as the route read it (defaults filled in).
    const id = (first.json() as EventBody).id;
    await t.database.db.updateTable('idempotency_keys').set({ request_hash: requestFingerprint(eventInput.parse(payload)) }).where('resource_id', '=', id).execute();
    const again = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.json() as EventBody).id).toBe(id);
  });

  it('replays the first answer, not the event as it is now, after the event changed', async () => {
    const headers = { ...(await t.auth('olga')), 'idempotency-key': 'event-then-published' };
    const payload = { ...base(), prices: { A: 6000, B: 4000, GA: 2500 } };
    const first = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload });
    expect(first.statusCode).toBe(201);
    const id = (first.json() as EventBody).id;
    const published = await t.app.inject({ method: 'POST', url: `/api/events/${id}/publish`, headers: await t.auth('olga') });
    expect(published.statusCode).toBe(200);
    expect((published.json() as EventBody).status).toBe('ON_SALE');

    const again = await t.app.inject({ method: 'POST', url: '/api/events', headers, payload });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
  });
});
