/**
 * Changes made only to the version a client saw: every event answer carries its ETag (its
 * `updatedAt`, quoted), and `If-Match` on PATCH, publish and cancel refuses another version with
 * 412 — a page drawn while the event was a draft cannot cancel it on sale (refunding its orders)
 * nor an editor opened before another tab's edit undo it.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraft, createEventTestApp, createVenue, type EventTestApp } from './event-test-app.js';

describe.each(testDialects())('event versions (ETag, If-Match) on %s', (dialect) => {
  let t: EventTestApp;
  let venueId: string;
  beforeAll(async () => {
    t = await createEventTestApp(dialect);
    venueId = await createVenue(t, 'olga');
  });
  afterAll(() => t.close());

  const call = async (method: 'POST' | 'PATCH' | 'GET', url: string, ifMatch?: string, payload?: object) =>
    t.app.inject({ method, url, headers: { ...(await t.auth('olga')), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) }, ...(payload ? { payload } : {}) });
  const read = async (id: string) => (await call('GET', `/api/events/${id}`)).json() as { status: string; name: string; prices: Record<string, number>; updatedAt: string };

  it('tags every answer with an event with its version, which each change moves on', async () => {
    const id = await createDraft(t, 'olga', venueId);
    const got = await call('GET', `/api/events/${id}`);
    const first = got.headers['etag'];
    expect(first).toBe(`"${(got.json() as { updatedAt: string }).updatedAt}"`);
    const patched = await call('PATCH', `/api/events/${id}`, first as string, { name: 'Renamed' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.headers['etag']).toBe(`"${(patched.json() as { updatedAt: string }).updatedAt}"`);
    expect(patched.headers['etag']).not.toBe(first);
    const published = await call('POST', `/api/events/${id}/publish`, patched.headers['etag'] as string);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.headers['etag']).not.toBe(patched.headers['etag']);
    expect((await call('GET', `/api/events/${id}`)).headers['etag']).toBe(published.headers['etag']);
  });

  it('refuses to cancel an event put on sale since the version named: 412, the event on sale still', async () => {
    const id = await createDraft(t, 'olga', venueId);
    const asDraft = (await call('GET', `/api/events/${id}`)).headers['etag'] as string;
    expect((await call('POST', `/api/events/${id}/publish`)).statusCode).toBe(200);
    const refused = await call('POST', `/api/events/${id}/cancel`, asDraft);
    expect(refused.statusCode).toBe(412);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    const now = (await call('GET', `/api/events/${id}`)).headers['etag'];
    expect(refused.json()).toMatchObject({ type: expect.stringMatching(/\/event-changed$/), status: 412, eventStatus: 'ON_SALE', etag: now });
    expect((await read(id)).status).toBe('ON_SALE');
    // Asked again with the version as it is now (or any version: `*`, or none), it is cancelled.
    expect((await call('POST', `/api/events/${id}/cancel`, now as string)).statusCode).toBe(200);
    expect((await read(id)).status).toBe('CANCELLED');
    // Done already: a stale tag changes nothing and refuses nothing (a retry whose answer was lost).
    expect((await call('POST', `/api/events/${id}/cancel`, asDraft)).statusCode).toBe(200);
  });

  it('refuses an edit of another version: the change made since is kept', async () => {
    const id = await createDraft(t, 'olga', venueId);
    const opened = (await call('GET', `/api/events/${id}`)).headers['etag'] as string;
    expect((await call('PATCH', `/api/events/${id}`, opened, { prices: { A: 7000, B: 4000, GA: 2500 } })).statusCode).toBe(200);
    const stale = await call('PATCH', `/api/events/${id}`, opened, { name: 'Stale' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ eventStatus: 'DRAFT' });
    expect((await read(id)).name).toBe('Concert');
    // A publish of another version is refused too; `*` is any version.
    expect((await call('POST', `/api/events/${id}/publish`, opened)).statusCode).toBe(412);
    expect((await call('POST', `/api/events/${id}/publish`, '*')).statusCode).toBe(200);
    // Publishing an event on sale changes nothing, whatever version is named.
    expect((await call('POST', `/api/events/${id}/publish`, opened)).statusCode).toBe(200);
  });

  it('names If-Match when it is not a list of entity tags, and changes nothing', async () => {
    const id = await createDraft(t, 'olga', venueId);
    for (const header of ['2031-12-06T01:30:45.500Z', 'W/', '"a"b"']) {
      const res = await call('POST', `/api/events/${id}/cancel`, header);
      expect(res.statusCode, header).toBe(400);
      expect((res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['if-match']);
    }
    expect((await read(id)).status).toBe('DRAFT');
    // Read before the request is looked at further: also where nothing would change.
    expect((await call('POST', `/api/events/${id}/cancel`)).statusCode).toBe(200);
    expect((await call('POST', `/api/events/${id}/cancel`, '"a" "b"')).statusCode).toBe(400);
  });

  it('answers an edit of another version with 412 before saying the event is no longer a draft (the precondition first)', async () => {
    const id = await createDraft(t, 'olga', venueId);
    const asDraft = (await call('GET', `/api/events/${id}`)).headers['etag'] as string;
    expect((await call('POST', `/api/events/${id}/publish`)).statusCode).toBe(200);
    const stale = await call('PATCH', `/api/events/${id}`, asDraft, { name: 'Late' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ eventStatus: 'ON_SALE' });
    // Without a version named, it is the 409 of an event that is not a draft.
    expect((await call('PATCH', `/api/events/${id}`, undefined, { name: 'Late' })).statusCode).toBe(409);
  });
});
