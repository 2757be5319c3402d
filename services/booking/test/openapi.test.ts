import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue } from './in-memory-catalogue.js';

describe('the booking OpenAPI document', () => {
  let t: BookingTestApp;
  beforeAll(async () => {
    t = await createBookingTestApp('sqlite', { catalogue: createInMemoryCatalogue() });
  });
  afterAll(() => t.close());

  it('describes every public booking route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths as Record<string, unknown>);
    for (const path of [
      '/api/availability/{eventId}',
      '/api/holds',
      '/api/holds/{holdId}',
      '/api/orders',
      '/api/orders/{orderId}',
      '/api/orders/{orderId}/cancel',
      '/api/tickets/{code}/check-in',
    ]) {
      expect(paths).toContain(path);
    }
  });
});
