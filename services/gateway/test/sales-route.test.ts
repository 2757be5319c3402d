/**
 * An organiser's sales figures through the gateway: `/api/sales/**` reaches a real booking service
 * (registered in a real registry) with the organiser's token, its answer and `Cache-Control` come
 * back as they are, and the gateway's `/docs` lists the path.
 */
import { signDevToken } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../tests/support/free-port.js';
import { type BookingTestApp, createBookingTestApp, TEST_JWT_SECRET } from '../../booking/test/booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from '../../booking/test/in-memory-catalogue.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
let booking: BookingTestApp;

beforeAll(async () => {
  // Booking's secret: one token passes the gateway and the service behind it.
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  const catalogue = createInMemoryCatalogue();
  const { event, map } = hallEvent('ev-sales', { organizerId: 'olga' });
  catalogue.put(event, map);
  booking = await createBookingTestApp('sqlite', { catalogue });
  await kit.registerInstance('BOOKING-SERVICE', 'booking-sales', await listenOnLoopback(booking.app));
});

afterAll(async () => {
  await kit?.close();
  await booking?.close();
});

describe('the sales route', () => {
  it("takes GET /api/sales/{eventId} to the booking service, and documents it", async () => {
    const { gateway } = await kit.gatewayWith();
    // The event's inventory, made on first access.
    expect((await gateway.inject({ method: 'GET', url: '/api/availability/ev-sales' })).statusCode).toBe(200);
    const olga = { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'olga', role: 'organizer' })}` };
    const res = await gateway.inject({ method: 'GET', url: '/api/sales/ev-sales', headers: olga });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ eventId: 'ev-sales', orders: { confirmed: 0, cancelled: 0 }, seats: { available: 60, total: 60 } });
    expect(res.headers['cache-control']).toBe('no-store');

    await gateway.apiDocs.refresh();
    const paths = Object.keys((await gateway.inject({ method: 'GET', url: '/docs/json' })).json().paths as object);
    expect(paths).toContain('/api/sales/{eventId}');
  });
});
