/** `/internal/*` takes only callers that present the shared SERVICE_TOKEN, which the services need to start. */
import { loadConfig, requireServiceToken } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventConfigSchema } from '../../event/src/config.js';
import { bookingConfigSchema } from '../src/config.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from './in-memory-catalogue.js';

describe('the internal catalogue-message route', () => {
  let t: BookingTestApp;
  const catalogue = createInMemoryCatalogue();
  const token = 'service-token-for-tests-0123456789';

  beforeAll(async () => {
    t = await createBookingTestApp('sqlite', { catalogue, serviceToken: token });
  });
  afterAll(() => t.close());

  const message = (eventId: string) => ({ id: `m-${eventId}`, type: 'event.published', eventId, occurredAt: new Date().toISOString() });

  it('refuses a caller without the service token, or with another, and takes the event service', async () => {
    const { event, map } = hallEvent('internal-1');
    catalogue.put(event, map);
    const post = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers, payload: message(event.id) });
    expect((await post({})).statusCode).toBe(401);
    expect((await post({ authorization: 'Bearer not-the-service-token-at-all' })).statusCode).toBe(401);
    expect((await post(await t.auth('mallory', 'admin'))).statusCode).toBe(401);
    const accepted = await post({ authorization: `Bearer ${token}` });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ id: `m-${event.id}`, outcome: 'processed' });
  });

  it('answers a message whose ids are no ids with a 400 naming the field, keeping nothing; a field it does not know is let be', async () => {
    const post = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: { authorization: `Bearer ${token}` }, payload });
    const fieldsOf = async (payload: Record<string, unknown>) => {
      const res = await post(payload);
      expect(res.statusCode, res.body).toBe(400);
      return (res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    };
    const good = message('internal-2');
    // Before: a 500 (too long for its column), or an inventory row for an event that cannot exist.
    for (const id of ['x'.repeat(65), 'x'.repeat(5_000), '', '../x', 'a\u0000b']) {
      expect(await fieldsOf({ ...good, id }), JSON.stringify(id.slice(0, 10))).toEqual(['id']);
      expect(await fieldsOf({ ...good, eventId: id }), JSON.stringify(id.slice(0, 10))).toEqual(['eventId']);
    }
    expect(await t.database.db.selectFrom('inventories').select('event_id').where('event_id', 'in', ['', '../x']).execute()).toEqual([]);
    // A newer catalogue's message, with a field this release does not know: taken (refused, it
    // would be retried for good during a rolling deploy).
    const { event, map } = hallEvent('internal-3');
    catalogue.put(event, map);
    expect((await post({ ...message(event.id), correlationId: 'c-1' })).json()).toEqual({ id: `m-${event.id}`, outcome: 'processed' });
  });

  it('remembers a handled message 30 days, then forgets it (it had been kept for good)', async () => {
    const { event, map } = hallEvent('internal-4');
    catalogue.put(event, map);
    const post = () => t.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: { authorization: `Bearer ${token}` }, payload: message(event.id) });
    expect((await post()).json()).toMatchObject({ outcome: 'processed' });
    await t.app.booking.sweeper.sweepOnce();
    expect((await post()).json()).toMatchObject({ outcome: 'duplicate' });
    t.advance(30 * 86_400_000 + 3_600_000);
    await t.app.booking.sweeper.sweepOnce();
    const kept = await t.database.db.selectFrom('catalogue_messages').select('id').where('id', '=', `m-${event.id}`).execute();
    expect(kept).toEqual([]);
  });
});

describe('SERVICE_TOKEN', () => {
  it('has no open mode: the internal route cannot be built without one', () => {
    expect(() => requireServiceToken('')).toThrow(/needs the SERVICE_TOKEN/);
  });

  it('is required to start the booking service and the event service: without it, /internal/* would take anyone', () => {
    for (const schema of [bookingConfigSchema, eventConfigSchema]) {
      const signing = { JWT_SECRET: 'x'.repeat(32) };
      expect(() => loadConfig(schema, signing)).toThrow(/SERVICE_TOKEN: /);
      expect(() => loadConfig(schema, { ...signing, SERVICE_TOKEN: 'short' })).toThrow(/SERVICE_TOKEN: must be 16\+ characters/);
      expect(loadConfig(schema, { ...signing, SERVICE_TOKEN: 'service-token-0123456789' }).SERVICE_TOKEN).toBe('service-token-0123456789');
    }
  });
});
