/**
 * The gateway's `/docs/json` in front of a real registry and real event and booking services:
 * the merged document covers a service that registered after the gateway last fetched the
 * documents, on the very next request (at `npm start` the gateway comes up before the services);
 * and the live stream's route lists the 429 the gateway itself answers there (STREAMS_PER_CLIENT).
 */
import { type App, createTokenVerifier, type RegistryClient } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { type BookingTestApp, createBookingTestApp } from '../../booking/test/booking-test-app.js';
import { createInMemoryCatalogue } from '../../booking/test/in-memory-catalogue.js';
import { buildDiscoveryApp } from '../../discovery/src/app.js';
import { createEventTestApp, type EventTestApp, TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { buildGatewayApp } from '../src/app.js';
import { listenOnLoopback } from '../../../tests/support/free-port.js';

let discovery: App;
let registryUrl: string;
let event: EventTestApp;
let booking: BookingTestApp;
const registrations: RegistryClient[] = [];
let gateway: App | undefined;

async function register(app: string, port: number) {
  const client = testRegistryClient({ registryUrls: [registryUrl], app, port });
  await client.start();
  registrations.push(client);
}

beforeAll(async () => {
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, responseCacheMs: 0 }).app;
  registryUrl = `http://127.0.0.1:${await listenOnLoopback(discovery)}/eureka`;
  event = await createEventTestApp('sqlite');
  booking = await createBookingTestApp('sqlite', { catalogue: createInMemoryCatalogue() });
  await register('EVENT-SERVICE', await listenOnLoopback(event.app));
});

afterAll(async () => {
  await gateway?.close();
  for (const client of registrations) await client.stop();
  await booking?.close();
  await event?.close();
  await discovery?.close();
});

describe('the gateway /docs', () => {
  it("serves a service's paths on the first request after it registered, though the cache was filled before", async () => {
    const registry = testRegistryClient({ registryUrls: [registryUrl], app: 'API-GATEWAY', instanceId: 'gw-docs', port: 1 });
    await registry.start();
    registrations.push(registry);
    gateway = await buildGatewayApp({
      registry,
      verifier: createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET }),
      logger: false,
      logLevel: 'error',
    });
    await gateway.ready();
    // The cache holds the event service's document; booking has not registered yet.
    await gateway.apiDocs.refresh();
    const paths = async () => Object.keys((await gateway?.inject({ method: 'GET', url: '/docs/json' }))?.json().paths as object);
    const before = await paths();
    expect(before).toContain('/api/venues');
    expect(before).not.toContain('/api/holds');

    // Booking registers, and the gateway's registry view lists it (its next fetch).
    await register('BOOKING-SERVICE', await listenOnLoopback(booking.app));
    expect(await registry.refresh()).toBe(true);
    expect(registry.instances('BOOKING-SERVICE')).toHaveLength(1);

    const after = await paths();
    expect(after).toEqual(expect.arrayContaining(['/gateway/routes', '/api/venues', '/api/holds', '/api/availability/{eventId}/stream']));
  });

  it("lists the gateway's own 429 on the stream route, beside the service's answers", async () => {
    // The gateway of the test above, with booking's document merged by now.
    expect(gateway).toBeDefined();
    const document = (await gateway?.inject({ method: 'GET', url: '/docs/json' }))?.json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }> }>>;
    };
    const responses = document.paths['/api/availability/{eventId}/stream']?.['get']?.responses ?? {};
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '404', '429']));
    expect(responses['429']?.content).toHaveProperty(['application/problem+json']);
    expect(responses['429']?.headers).toHaveProperty(['retry-after']);
    // Only on stream routes: other routes keep their service's answers as they are.
    const holds = document.paths['/api/holds']?.['post']?.responses ?? {};
    expect(Object.keys(holds)).toContain('201');
    expect(Object.keys(holds)).not.toContain('429');
  });
});
