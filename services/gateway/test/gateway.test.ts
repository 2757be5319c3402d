/**
 * The gateway in process in front of a real registry (the discovery app) and a real event
 * service: proxying, the edge checks (tokens, rate limits, CORS), and circuit breaking.
 */
import { createTokenVerifier, type RegistryClient, RESOURCE_BUSY_HEADER, signDevToken } from '@stream-seat/platform';
import { createServer, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { createDraft, createEventTestApp, createVenue, type EventTestApp, TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import type { GatewayAppDeps } from '../src/app.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';
import { freePort, listenOnLoopback } from '../../../tests/support/free-port.js';


/** GET with the path sent exactly as written, and a bounded wait (a hang fails the test). */
function rawGet(port: number, path: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer for ${path}`)));
    req.on('error', reject);
    req.end();
  });
}
let kit: GatewayTestKit;
let event: EventTestApp;
let eventRegistration: RegistryClient;
const gatewayWith = (options: Partial<GatewayAppDeps> = {}) => kit.gatewayWith(options);

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  event = await createEventTestApp('sqlite');
  const eventPort = await listenOnLoopback(event.app);
  eventRegistration = testRegistryClient({
    registryUrls: [kit.registryUrl],
    app: 'EVENT-SERVICE',
    instanceId: 'event-1',
    port: eventPort,
  });
  await eventRegistration.start();
});

afterAll(async () => {
  // Leave the registry while it still answers, then close it.
  await eventRegistration.stop();
  await kit.close();
  await event.close();
});

describe('the gateway', () => {
  it('proxies a route to its service, found through the registry', async () => {
    const { gateway } = await gatewayWith();
    const res = await gateway.inject({ method: 'GET', url: '/api/events', headers: { 'x-request-id': 'abc-123' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [], nextCursor: null });
    expect(res.headers['x-request-id']).toBe('abc-123');
  });

  it("passes a service's 405 for a wrong method through, with its Allow header (RFC 9110 §15.5.6)", async () => {
    const { gateway } = await gatewayWith();
    const res = await gateway.inject({ method: 'PUT', url: '/api/events?limit=5' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(String(res.headers['allow']).split(', ')).toEqual(['GET', 'HEAD', 'POST']);
    expect(res.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/method-not-allowed', status: 405, detail: 'PUT is not allowed on /api/events; allowed: GET, HEAD, POST' });
    const one = await gateway.inject({ method: 'DELETE', url: '/api/events/00000000-0000-0000-0000-000000000000' });
    expect(one.statusCode).toBe(405);
    expect(one.headers['allow']).toBe('GET, HEAD, PATCH');
    // An unknown path behind a routed prefix is still the service's 404.
    const unknown = await gateway.inject({ method: 'PUT', url: '/api/events/x/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['allow']).toBeUndefined();
    // TRACE too is the service's to refuse, with the path's own methods (not the gateway's list).
    const trace = await gateway.inject({ method: 'TRACE', url: '/api/events' });
    expect(trace.statusCode).toBe(405);
    expect(trace.headers['allow']).toBe('GET, HEAD, POST');
    // A method of no standard (WebDAV's) is implemented nowhere: 501, whatever the path.
    for (const url of ['/api/events', '/api/holds/x/y/z']) {
      const dav = await gateway.inject({ method: 'PROPFIND', url });
      expect(dav.statusCode, url).toBe(501);
      expect(dav.headers['allow']).toBeUndefined();
      expect(dav.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/not-implemented', status: 501 });
    }
  });

  it('passes request bodies through unchanged', async () => {
    const { gateway } = await gatewayWith();
    const layout = {
      name: 'Gateway Hall',
      sections: [{ id: 'MAIN', name: 'Main', tier: 'A', rows: [{ label: 'A', seats: 4 }] }],
    };
    const res = await gateway.inject({
      method: 'POST',
      url: '/api/venues',
      headers: { ...(await event.auth('olga')), 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify(layout),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Gateway Hall', capacity: 4 });
    // The service's Location is the public path, so it passes through as it is.
    expect(res.headers['location']).toBe(`/api/venues/${res.json().id}`);
    const bad = await gateway.inject({
      method: 'POST',
      url: '/api/venues',
      headers: { ...(await event.auth('olga')), 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(bad.statusCode).toBe(400);
    // A body without a Content-Type is refused as such (the gateway had passed it on as octet-stream).
    const untyped = await gateway.inject({ method: 'POST', url: '/api/venues', headers: await event.auth('olga'), payload: JSON.stringify(layout) });
    expect(untyped.statusCode, untyped.body).toBe(415);
    expect(untyped.json().detail).toBe('a body without a Content-Type is not read here; send application/json');
  });

  it('documents the whole public API at /docs, from the services behind it', async () => {
    const { gateway } = await gatewayWith();
    await gateway.apiDocs.refresh();
    const res = await gateway.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths as Record<string, unknown>);
    expect(paths).toEqual(expect.arrayContaining(['/gateway/routes', '/api/venues', '/api/events/{id}/seatmap']));
    expect(paths.some((p) => p.startsWith('/internal/') || p === '/health')).toBe(false);
  });

  it('answers a route with no registered instance with a 503 problem at once', async () => {
    const { gateway } = await gatewayWith();
    const res = await gateway.inject({ method: 'GET', url: '/api/holds/h1' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 503, service: 'BOOKING-SERVICE' });
    // RFC 9110: a 503 says when to come back.
    expect(res.headers['retry-after']).toBe('5');
  });

  it('mints dev tokens only when asked to (npm start), never by default', async () => {
    const { gateway: deployed } = await gatewayWith();
    const ask = { method: 'POST' as const, url: '/api/auth/dev-token', payload: { sub: 'mallory', role: 'admin' } };
    expect((await deployed.inject(ask)).statusCode).toBe(404);
    const { gateway: local } = await gatewayWith({ devTokenSecret: TEST_JWT_SECRET });
    const minted = await local.inject(ask);
    expect(minted.statusCode).toBe(200);
    expect(await createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET }).verify(minted.json().token)).toEqual({ sub: 'mallory', role: 'admin' });
    const typo = await local.inject({ ...ask, payload: { sub: 'mallory', role: 'buyer', rol: 'admin' } });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().errors).toEqual([{ field: 'rol', message: 'is not a known field' }]);
    // A subject the database would not keep as it is: its owner's own data would answer 404.
    const surrogate = await local.inject({ ...ask, payload: { sub: '\ud800', role: 'buyer' } });
    expect(surrogate.statusCode).toBe(400);
    expect(surrogate.json().errors).toEqual([{ field: 'sub', message: 'must not contain control characters or lone surrogates' }]);
    const override = await local.inject({ ...ask, payload: { sub: 'admin\u202enimda', role: 'buyer' } });
    expect(override.statusCode).toBe(400);
    expect(override.json().errors).toEqual([{ field: 'sub', message: 'must not contain bidirectional overrides' }]);
  });

  // Until this change the edge answered 401 to any bad token, GET /api/events included; the
  // contract says reads of the catalogue and of availability need no token, so a stale token
  // left in a browser must read them as anonymous rather than be locked out.
  it('reads public routes as anonymous with an invalid or expired token, and refuses it on writes at the edge', async () => {
    const { gateway } = await gatewayWith();
    const forged = { authorization: `Bearer ${await signDevToken('not-the-gateway-secret-0123456789', { sub: 'mallory', role: 'admin' })}` };
    const expired = { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'olga', role: 'organizer' }, -60)}` };
    const olga = await event.auth('olga');
    const venueId = await createVenue(event, 'olga', { name: 'Edge Hall', sections: [{ id: 'MAIN', name: 'Main', tier: 'A', rows: [{ label: 'A', seats: 4 }] }] });
    const eventId = await createDraft(event, 'olga', venueId, { prices: { A: 1000 } });
    expect((await event.app.inject({ method: 'POST', url: `/api/events/${eventId}/publish`, headers: olga })).statusCode).toBe(200);

    for (const headers of [forged, expired]) {
      for (const url of ['/api/events', `/api/events/${eventId}`, `/api/events/${eventId}/seatmap`, `/api/venues/${venueId}`]) {
        const anonymous = await gateway.inject({ method: 'GET', url });
        const res = await gateway.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(200);
        expect(res.body, url).toBe(anonymous.body);
      }
      // Availability and its stream pass the edge too: no booking instance is registered here,
      // so they reach the 503 of the missing upstream instead of a 401.
      for (const url of [`/api/availability/${eventId}`, `/api/availability/${eventId}/stream`]) {
        expect((await gateway.inject({ method: 'GET', url, headers })).statusCode, url).toBe(503);
      }
      // A read that needs a principal is refused by its service.
      expect((await gateway.inject({ method: 'GET', url: '/api/venues', headers })).statusCode).toBe(401);
      // A write is refused at the edge: a 401, not the 503 of the missing booking service.
      const hold = await gateway.inject({ method: 'POST', url: '/api/holds', headers, payload: { eventId, quantity: 1 } });
      expect(hold.statusCode).toBe(401);
      expect(hold.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(hold.headers['www-authenticate']).toBe('Bearer realm="stream-seat"');
    }
  });

  it('limits each caller to its rate, by token subject', async () => {
    const { gateway } = await gatewayWith({ rateLimit: { max: 3, windowMs: 60_000, holdsMax: 3 } });
    const alice = { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'alice', role: 'buyer' })}` };
    const bob = { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'bob', role: 'buyer' })}` };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await gateway.inject({ method: 'GET', url: '/api/events', headers: alice })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await gateway.inject({ method: 'GET', url: '/api/events', headers: alice });
    expect(limited.json()).toMatchObject({ status: 429, title: 'Too many requests' });
    expect(limited.headers['retry-after']).toBeDefined();
    // The time left, as Retry-After counts it: "59 seconds" is no window of 60 s.
    expect(limited.json().detail).toBe(`At most 3 requests in a window; try again in ${limited.headers['retry-after']} s`);
    expect((await gateway.inject({ method: 'GET', url: '/api/events', headers: bob })).statusCode).toBe(200);
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const { gateway } = await gatewayWith({ corsOrigins: ['https://tickets.example'] });
    const preflight = (origin: string) =>
      gateway.inject({
        method: 'OPTIONS',
        url: '/api/holds',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,idempotency-key' },
      });
    const allowed = await preflight('https://tickets.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://tickets.example');
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/idempotency-key/);
    // A change made only to the version a page saw (an event's If-Match).
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/if-match/);
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
    // Releasing a hold and editing an event are cross-origin calls too.
    for (const [method, url] of [['DELETE', '/api/holds/h-1'], ['PATCH', '/api/events/e-1']]) {
      const res = await gateway.inject({ method: 'OPTIONS', url, headers: { origin: 'https://tickets.example', 'access-control-request-method': method as string } });
      expect(String(res.headers['access-control-allow-methods']).split(',').map((m) => m.trim())).toContain(method);
    }
    // A cross-origin script may read the headers the API gives it to act on.
    const events = await gateway.inject({ method: 'GET', url: '/api/events', headers: { origin: 'https://tickets.example' } });
    const exposed = String(events.headers['access-control-expose-headers']).split(',').map((h) => h.trim());
    expect(exposed).toEqual(expect.arrayContaining(['location', 'etag', 'idempotent-replayed', 'retry-after']));
    // An OPTIONS that is no preflight (no Origin, or no method asked for) goes to the service that
    // owns the path, like any other method: its 405 names the path's methods; an unknown path is a
    // 404 — not the plugin's 400 in text/plain, nor a 204 for every path.
    for (const headers of [{}, { origin: 'https://tickets.example' }]) {
      const plain = await gateway.inject({ method: 'OPTIONS', url: '/api/events', headers });
      expect(plain.statusCode).toBe(405);
      expect(plain.headers['allow']).toBe('GET, HEAD, POST');
      expect(plain.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(plain.headers['access-control-allow-methods']).toBeUndefined();
      const unknown = await gateway.inject({ method: 'OPTIONS', url: '/api/events/x/nothing-here', headers });
      expect(unknown.statusCode).toBe(404);
    }
    // The service's Vary (a seat map's Accept-Encoding) joins the gateway's Origin, rather than
    // replacing it: a shared cache must not hand one origin's Allow-Origin to another.
    const venueId = await createVenue(event, 'olga', { name: 'Vary Hall', sections: [{ id: 'MAIN', name: 'Main', tier: 'A', rows: [{ label: 'A', seats: 4 }] }] });
    const eventId = await createDraft(event, 'olga', venueId, { prices: { A: 1000 } });
    expect((await event.app.inject({ method: 'POST', url: `/api/events/${eventId}/publish`, headers: await event.auth('olga') })).statusCode).toBe(200);
    const map = await gateway.inject({ method: 'GET', url: `/api/events/${eventId}/seatmap`, headers: { origin: 'https://tickets.example', 'accept-encoding': 'gzip' } });
    expect(map.statusCode).toBe(200);
    expect(map.headers['access-control-allow-origin']).toBe('https://tickets.example');
    expect(String(map.headers['vary']).split(',').map((v) => v.trim().toLowerCase()).sort()).toEqual(['accept-encoding', 'origin']);
  });

  it('refuses a path it will not forward with a 400, without blaming the instance', async () => {
    const { gateway } = await gatewayWith({ breakers: { volumeThreshold: 3 } });
    const port = await listenOnLoopback(gateway);
    // Over a real socket: an HTTP client library would normalize these away. Each would leave the
    // route once an upstream's URL parser resolves it (the event service's /metrics, not exposed).
    const escapes = ['/api/events/..', '/api/events/x\\..\\..\\metrics', '/api/events/x/%2e%2e/%2e%2e/metrics', '/api/events/x%2f..%2f..%2fmetrics', '/api/events/x%5c..%5c..%5cmetrics'];
    for (let i = 0; i < 12; i++) {
      const res = await rawGet(port, escapes[i % escapes.length] as string);
      expect(res.status, escapes[i % escapes.length]).toBe(400);
      expect(res.contentType).toMatch(/application\/problem\+json/);
    }
    // Each names the part at fault: the path, or a query whose percent-encoding does not decode.
    const fieldOf = async (target: string) => {
      const res = await rawGet(port, target);
      expect(res.status, target).toBe(400);
      return (JSON.parse(res.body) as { errors?: Array<{ field: string }> }).errors?.map((e) => e.field);
    };
    expect(await fieldOf('/api/events/x/%2e%2e/metrics')).toEqual(['path']);
    expect(await fieldOf('/api/events/%FF')).toEqual(['path']);
    expect(await fieldOf('/api/events?q=%FF')).toEqual(['querystring']);
    expect(await fieldOf('/api/events/x?x=%')).toEqual(['querystring']);
    // `..` beside a slash that no URL parser takes for a dot segment (`..;` is one to some servers):
    // named, as the others are (it had been an unnamed "cannot be forwarded").
    expect(await fieldOf('/api/events/..;/internal')).toEqual(['path']);
    expect(await fieldOf('/api/orders/...;/x')).toEqual(['path']);
    // A fragment or an absolute-form target is no plain path either; a fragment after the query is
    // no query text (it had been passed on as part of `q`).
    expect(await fieldOf('/api/events#x')).toEqual(['path']);
    expect(await fieldOf('/api/events?q=a#x')).toEqual(['querystring']);
    // A query is free text: `/..` in a search is no traversal, and reaches the service (it had been
    // refused, unnamed); an unknown parameter gets the service's own answer naming it.
    for (const target of ['/api/events?q=AC/..DC', '/api/events?q=AC%2F..DC', '/api/events?q=wait..%2Fwhat']) expect((await rawGet(port, target)).status, target).toBe(200);
    expect(await fieldOf('/api/events?x=/..')).toEqual(['querystring.x']);
    // An ordinary escaped character is forwarded as it is (%2D is '-': a well-formed id, and no such event).
    expect((await rawGet(port, '/api/events/no%2Dsuch%2Devent')).status).toBe(404);
    expect((await rawGet(port, '/api/events?q=%C3%A9t%C3%A9')).status).toBe(200);
    const routes = (await gateway.inject({ method: 'GET', url: '/gateway/routes' })).json() as Array<{ id: string; circuits: Record<string, string> }>;
    expect(Object.values(routes.find((r) => r.id === 'events')?.circuits ?? {})).toEqual(['CLOSED']);
    expect((await gateway.inject({ method: 'GET', url: '/api/events' })).statusCode).toBe(200);
  });

  it('opens the circuit of an instance that keeps failing and then answers without trying it', async () => {
    const { gateway, registry } = await gatewayWith({ breakers: { volumeThreshold: 3, resetTimeoutMs: 60_000 } });
    await kit.registerInstance('BOOKING-SERVICE', 'dead-booking', await freePort());
    await registry.refresh();
    const first = [];
    for (let i = 0; i < 3; i++) first.push((await gateway.inject({ method: 'GET', url: '/api/orders' })).json().detail);
    expect(first).toEqual(Array(3).fill('BOOKING-SERVICE could not be reached'));
    const routes = (await gateway.inject({ method: 'GET', url: '/gateway/routes' })).json() as Array<{ id: string; circuits: Record<string, string> }>;
    expect(Object.values(routes.find((r) => r.id === 'orders')?.circuits ?? {})).toEqual(['OPEN']);
    const res = await gateway.inject({ method: 'GET', url: '/api/orders' });
    expect(res.statusCode).toBe(503);
    expect(res.json().detail).toBe('Every instance of BOOKING-SERVICE is failing; retry shortly');
    await fetch(`${kit.registryUrl}/apps/BOOKING-SERVICE/dead-booking`, { method: 'DELETE' });
  });

  it('keeps the circuit closed for 503s the instance marks as contention, and keeps the mark from the client', async () => {
    let hits = 0;
    const upstream = createServer((_request, response) => {
      hits++;
      // What booking answers when other buyers hold the rows it needs (platform's Contended).
      response
        .writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5', [RESOURCE_BUSY_HEADER]: '1' })
        .end(JSON.stringify({ type: 'https://stream-seat.dev/problems/contended', title: 'Too busy', status: 503 }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as { port: number };
    try {
      const { gateway, registry } = await gatewayWith({ breakers: { volumeThreshold: 3, resetTimeoutMs: 60_000 } });
      await kit.registerInstance('BOOKING-SERVICE', 'hot-event', port);
      await registry.refresh();
      for (let i = 0; i < 10; i++) {
        const res = await gateway.inject({ method: 'POST', url: '/api/holds', payload: {}, headers: { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'crowd', role: 'buyer' })}` } });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.json().title).toBe('Too busy');
        expect(res.headers[RESOURCE_BUSY_HEADER]).toBeUndefined();
      }
      // Every one reached the instance: none was answered by an open circuit.
      expect(hits).toBe(10);
      const routes = (await gateway.inject({ method: 'GET', url: '/gateway/routes' })).json() as Array<{ id: string; circuits: Record<string, string> }>;
      expect(Object.values(routes.find((r) => r.id === 'holds')?.circuits ?? {})).toEqual(['CLOSED']);
    } finally {
      await fetch(`${kit.registryUrl}/apps/BOOKING-SERVICE/hot-event`, { method: 'DELETE' });
      upstream.close();
    }
  });

  it('passes on a 502 (a service the upstream needs failed) without opening its circuit; a 503 opens it', async () => {
    let status = 502;
    let hits = 0;
    const upstream = createServer((_request, response) => {
      hits++;
      response.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title: 'x', status }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as { port: number };
    try {
      const { gateway, registry } = await gatewayWith({ breakers: { volumeThreshold: 3, resetTimeoutMs: 60_000 } });
      await kit.registerInstance('BOOKING-SERVICE', 'needs-the-catalogue', port);
      await registry.refresh();
      const circuits = async () =>
        Object.values(((await gateway.inject({ method: 'GET', url: '/gateway/routes' })).json() as Array<{ id: string; circuits: Record<string, string> }>).find((r) => r.id === 'orders')?.circuits ?? {});
      for (let i = 0; i < 6; i++) expect((await gateway.inject({ method: 'GET', url: '/api/orders' })).statusCode).toBe(502);
      expect(hits).toBe(6);
      expect(await circuits()).toEqual(['CLOSED']);
      // The 502s counted as answers: past half of the window failing, the 503s open it.
      status = 503;
      for (let i = 0; i < 8; i++) await gateway.inject({ method: 'GET', url: '/api/orders' });
      expect(await circuits()).toEqual(['OPEN']);
    } finally {
      await fetch(`${kit.registryUrl}/apps/BOOKING-SERVICE/needs-the-catalogue`, { method: 'DELETE' });
      upstream.close();
    }
  });
});
