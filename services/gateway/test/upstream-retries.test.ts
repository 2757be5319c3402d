/**
 * What the gateway does when an upstream instance fails, in front of a real registry: a request
 * whose connection was refused goes to another instance whatever its method (it never left the
 * gateway); a request that reached an instance which then failed is sent again only when it is
 * idempotent; an instance that does not answer in time is a 504. The live upstream is the real
 * event service; the failing ones are plain node:http servers registered as the booking service.
 */
import { signDevToken } from '@stream-seat/platform';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, listenOnLoopback } from '../../../tests/support/free-port.js';
import { createEventTestApp, type EventTestApp, TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import type { GatewayAppDeps } from '../src/app.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
let event: EventTestApp;
const upstreams: Server[] = [];
/** The ports of the plain instances registered as booking-a and booking-b. */
const bookingPorts: number[] = [];
/** The API requests the plain upstreams received, by method (the gateway also asks them for /docs/json). */
const received: string[] = [];
/** What the plain upstreams do with a request once they have read it. */
let behave: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

/** A gateway whose registry view was fetched after the test registered its instances. */
const gatewayWith = async (options: Partial<GatewayAppDeps> = {}) => (await kit.gatewayWith(options)).gateway;

const bearer = async (sub: string, role: 'buyer' | 'organizer') => ({ authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub, role })}` });

/** A plain upstream that reads each request whole, counts it, then does what `behave` says. */
async function plainUpstream(): Promise<number> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/api/')) received.push(req.method ?? '');
      behave(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstreams.push(server);
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  event = await createEventTestApp('sqlite');
  await kit.registerInstance('EVENT-SERVICE', 'event-live', await listenOnLoopback(event.app));
  // Deregistered and closed, but still in the gateways' cached registry (a rolling deploy).
  await kit.registerInstance('EVENT-SERVICE', 'event-gone', await freePort());
  for (const id of ['booking-a', 'booking-b']) {
    const port = await plainUpstream();
    bookingPorts.push(port);
    await kit.registerInstance('BOOKING-SERVICE', id, port);
  }
});

afterAll(async () => {
  await kit?.close();
  for (const server of upstreams) {
    server.closeAllConnections();
    server.close();
  }
  await event?.close();
});

describe('the gateway when an upstream instance fails', () => {
  it('sends a POST whose connection was refused to another instance, which acts on it once', async () => {
    const gateway = await gatewayWith();
    const organizer = await bearer('olga-retry', 'organizer');
    // Round-robin over the two instances: one of two consecutive requests tries the closed one first.
    for (const name of ['Retry Hall 1', 'Retry Hall 2']) {
      const res = await gateway.inject({
        method: 'POST',
        url: '/api/venues',
        headers: { ...organizer, 'content-type': 'application/json' },
        payload: JSON.stringify({ name, sections: [{ id: 'MAIN', name: 'Main', tier: 'A', rows: [{ label: 'A', seats: 2 }] }] }),
      });
      expect(res.statusCode, name).toBe(201);
    }
    // The live instance received each POST exactly once: one venue each.
    const venues = await event.app.inject({ method: 'GET', url: '/api/venues', headers: organizer });
    expect((venues.json().items as Array<{ name: string }>).map((v) => v.name).sort()).toEqual(['Retry Hall 1', 'Retry Hall 2']);
  });

  it('never sends a POST again once an instance received it, while a GET goes on to the next instance', async () => {
    const gateway = await gatewayWith();
    const buyer = await bearer('bea-retry', 'buyer');
    // Both booking instances take the request whole, then drop the connection without answering.
    behave = (_req, res) => res.socket?.destroy();
    received.length = 0;
    const hold = await gateway.inject({
      method: 'POST',
      url: '/api/holds',
      headers: { ...buyer, 'content-type': 'application/json' },
      payload: JSON.stringify({ eventId: 'ev-1', seatIds: ['MAIN-A-1'] }),
    });
    // Received, so perhaps carried out: not "unavailable, retry in 5 s" but "outcome unknown".
    expect(hold.statusCode).toBe(502);
    expect(hold.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(hold.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/outcome-unknown' });
    expect(received).toEqual(['POST']);

    // The contrast: a read is safe to repeat, so the other instance gets it too.
    received.length = 0;
    const read = await gateway.inject({ method: 'GET', url: '/api/holds/h-1', headers: buyer });
    expect(read.statusCode).toBe(503);
    expect(received).toEqual(['GET', 'GET']);
  });

  it('answers 504 when the instance does not answer within the upstream timeout', async () => {
    const gateway = await gatewayWith({ upstreamTimeoutMs: 300 });
    behave = () => undefined; // reads the request and never answers
    received.length = 0;
    const res = await gateway.inject({ method: 'GET', url: '/api/orders', headers: await bearer('bea-slow', 'buyer') });
    expect(res.statusCode).toBe(504);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 504, title: 'Gateway timeout', detail: 'BOOKING-SERVICE did not answer in time' });
    // A timeout is not a connect failure: the request is not sent to the other instance.
    expect(received).toEqual(['GET']);
    // A POST that timed out may still be carried out (the instance is slow, not gone): said so.
    const hold = await gateway.inject({ method: 'POST', url: '/api/holds', headers: { ...(await bearer('bea-slow', 'buyer')), 'content-type': 'application/json' }, payload: JSON.stringify({ eventId: 'ev-1', seatIds: ['MAIN-A-1'] }) });
    expect(hold.statusCode).toBe(504);
    expect(hold.json()).toMatchObject({ outcomeUnknown: true, detail: expect.stringMatching(/may still be carried out/) });
    expect(received).toEqual(['GET', 'POST']);
  });

  it('sends a request an instance turned away unserved (starting, shutting down) to the next one, a POST too, and keeps its answer from the client', async () => {
    // booking-a is shutting down: the platform answers 503 before any handler, and says it served nothing.
    behave = (req, res) => {
      if (req.socket.localPort === bookingPorts[0]) {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5', 'stream-seat-not-served': '1' });
        res.end(JSON.stringify({ type: 'https://stream-seat.dev/problems/shutting-down', title: 'Service unavailable', status: 503 }));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ served: true }));
    };
    const gateway = await gatewayWith();
    received.length = 0;
    // Round-robin over the two: one of two consecutive requests tries booking-a first.
    for (const sub of ['nia-unserved-1', 'nia-unserved-2']) {
      const res = await gateway.inject({ method: 'POST', url: '/api/orders', headers: { ...(await bearer(sub, 'buyer')), 'content-type': 'application/json' }, payload: '{}' });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toEqual({ served: true });
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.headers['stream-seat-not-served']).toBeUndefined();
    }
    // Three arrivals: booking-a's turned-away one, and one each at booking-b.
    expect(received).toEqual(['POST', 'POST', 'POST']);
    // Both turned away: the last 503 is the client's, Retry-After kept, the internal header not.
    behave = (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5', 'stream-seat-not-served': '1' });
      res.end(JSON.stringify({ type: 'https://stream-seat.dev/problems/starting', title: 'Service unavailable', status: 503 }));
    };
    const last = await gateway.inject({ method: 'POST', url: '/api/orders', headers: { ...(await bearer('nia-unserved-3', 'buyer')), 'content-type': 'application/json' }, payload: '{}' });
    expect(last.statusCode).toBe(503);
    expect(last.headers['retry-after']).toBe('5');
    expect(last.headers['stream-seat-not-served']).toBeUndefined();
  });

  it('passes a 503 answer on once, with its Retry-After, instead of asking the instance again', async () => {
    const gateway = await gatewayWith();
    // An instance still starting (or its database down) answers 503 problems with Retry-After: 5.
    behave = (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Service unavailable', status: 503 }));
    };
    received.length = 0;
    const res = await gateway.inject({ method: 'GET', url: '/api/orders', headers: await bearer('bea-503', 'buyer') });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    // Asked once: repeating a GET on an instance that says "not now" multiplies its load in an outage.
    expect(received).toEqual(['GET']);
  });
});
