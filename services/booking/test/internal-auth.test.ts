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
