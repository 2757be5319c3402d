/**
 * An instance whose connections never complete — an address nothing routes to, a host gone dark —
 * costs a request its connect timeout (`UPSTREAM_CONNECT_TIMEOUT_MS`), then the request goes to the
 * next instance whatever its method: it never left the gateway. The silent instance is a real
 * listener on loopback whose accept queue is full (tests/support/silent-listener.ts); the live one
 * is the real event service.
 */
import { signDevToken } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../tests/support/free-port.js';
import { type SilentListener, startSilentListener } from '../../../tests/support/silent-listener.js';
import { createEventTestApp, type EventTestApp, TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
let event: EventTestApp;
let silent: SilentListener;

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  event = await createEventTestApp('sqlite');
  silent = await startSilentListener();
  await kit.registerInstance('EVENT-SERVICE', 'event-live', await listenOnLoopback(event.app));
  await kit.registerInstance('EVENT-SERVICE', 'event-silent', silent.port);
});

afterAll(async () => {
  await kit?.close();
  silent?.close();
  await event?.close();
});

describe('the gateway when an instance never completes a connection', () => {
  it('gives up on it after the connect timeout and sends the request, a POST too, to the next instance, which acts on it once', async () => {
    const { gateway } = await kit.gatewayWith({ connectTimeoutMs: 300, upstreamTimeoutMs: 10_000 });
    const organizer = { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'olga-silent', role: 'organizer' })}` };
    // Round-robin over the two instances: one of two consecutive requests tries the silent one first.
    for (const name of ['Silent Hall 1', 'Silent Hall 2']) {
      const res = await gateway.inject({
        method: 'POST',
        url: '/api/venues',
        headers: { ...organizer, 'content-type': 'application/json' },
        payload: JSON.stringify({ name, sections: [{ id: 'MAIN', name: 'Main', tier: 'A', rows: [{ label: 'A', seats: 2 }] }] }),
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    // Each POST acted on once, by the live instance: one venue each.
    const venues = await event.app.inject({ method: 'GET', url: '/api/venues', headers: organizer });
    expect((venues.json().items as Array<{ name: string }>).map((v) => v.name).sort()).toEqual(['Silent Hall 1', 'Silent Hall 2']);
    // Within the test's 8 s: undici's own connect timeout, 10 s, had the setting been ignored.
  }, 8_000);
});
