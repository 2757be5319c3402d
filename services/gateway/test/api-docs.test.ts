/**
 * The gateway's `/docs/json` in front of a real registry and real event and booking services:
 * the merged document covers a service that registered after the gateway last fetched the
 * documents, on the very next request (at `npm start` the gateway comes up before the services);
 * and the live stream's route lists the 429 the gateway itself answers there (STREAMS_PER_CLIENT).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../tests/support/free-port.js';
import { type BookingTestApp, createBookingTestApp } from '../../booking/test/booking-test-app.js';
import { createInMemoryCatalogue } from '../../booking/test/in-memory-catalogue.js';
import { createEventTestApp, type EventTestApp, TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
let event: EventTestApp;
let booking: BookingTestApp;

/** Registers the booking service, listening from now on (each test decides when). */
const registerBooking = async () => kit.registerInstance('BOOKING-SERVICE', 'booking', await listenOnLoopback(booking.app));

// Each test has its own registry and services: the event service registered, booking not yet.
beforeEach(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  event = await createEventTestApp('sqlite');
  booking = await createBookingTestApp('sqlite', { catalogue: createInMemoryCatalogue() });
  await kit.registerInstance('EVENT-SERVICE', 'event', await listenOnLoopback(event.app));
});

afterEach(async () => {
  await kit?.close();
  await booking?.close();
  await event?.close();
});

describe('the gateway /docs', () => {
  it("serves a service's paths on the first request after it registered, though the cache was filled before", async () => {
    const { gateway, registry } = await kit.gatewayWith();
    // The cache holds the event service's document; booking has not registered yet.
    await gateway.apiDocs.refresh();
    const paths = async () => Object.keys((await gateway.inject({ method: 'GET', url: '/docs/json' })).json().paths as object);
    const before = await paths();
    expect(before).toContain('/api/venues');
    expect(before).not.toContain('/api/holds');

    // Booking registers, and the gateway's registry view lists it (its next fetch).
    await registerBooking();
    expect(await registry.refresh()).toBe(true);
    expect(registry.instances('BOOKING-SERVICE')).toHaveLength(1);

    const after = await paths();
    expect(after).toEqual(expect.arrayContaining(['/gateway/routes', '/api/venues', '/api/holds', '/api/availability/{eventId}/stream']));
  });

  it("lists the gateway's own 429 on the stream route, beside the service's answers", async () => {
    // Both services registered before the gateway started, their documents fetched before the request.
    await registerBooking();
    const { gateway } = await kit.gatewayWith();
    await gateway.apiDocs.refresh();
    const document = (await gateway.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }> }>>;
    };
    const responses = document.paths['/api/availability/{eventId}/stream']?.['get']?.responses ?? {};
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '404', '429']));
    expect(responses['429']?.content).toHaveProperty(['application/problem+json']);
    expect(responses['429']?.headers).toHaveProperty(['retry-after']);
    // And its 503 past its own cap (MAX_CLIENT_STREAMS), unless the service documents a 503 of its own.
    expect(responses['503']).toBeDefined();
    // Only on stream routes: other routes keep their service's answers as they are.
    const holds = document.paths['/api/holds']?.['post']?.responses ?? {};
    expect(Object.keys(holds)).toContain('201');
    expect(Object.keys(holds)).not.toContain('429');
  });
});
