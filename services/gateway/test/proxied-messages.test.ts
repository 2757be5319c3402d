/**
 * What the gateway passes on, each way, against a real upstream on loopback (a plain node:http
 * server registered as the event and the booking service): bodies as large as the event service
 * takes, the forwarding headers it sets and those a client may not, the upstream's hop-by-hop
 * headers, and a POST whose connection broke after it was sent (from hostile probe 6).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { LAYOUT_BODY_LIMIT_BYTES } from '@stream-seat/contracts';
import { signDevToken } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
let upstream: Server;
/** What the upstream received: each request's path, headers and body size. */
const received: Array<{ url: string; headers: IncomingHttpHeaders; bytes: number }> = [];

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  upstream = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, bytes });
      if (req.url === '/api/orders') {
        // The instance dies with the request in hand: the connection breaks, no answer.
        req.socket.destroy();
        return;
      }
      if (req.url === '/api/holds/hop-by-hop') {
        res.writeHead(200, {
          'content-type': 'application/json',
          connection: 'x-internal-secret',
          'x-internal-secret': 'leak',
          'keep-alive': 'timeout=5',
          'proxy-authenticate': 'Basic realm="upstream"',
          upgrade: 'h2c',
          trailer: 'x-checksum',
          'x-end-to-end': 'kept',
        });
        res.end('{}');
        return;
      }
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as { port: number }).port;
  await kit.registerInstance('EVENT-SERVICE', 'event-messages', port);
  await kit.registerInstance('BOOKING-SERVICE', 'booking-messages', port);
});

afterAll(async () => {
  await kit?.close();
  upstream?.closeAllConnections();
  upstream?.close();
});

const last = () => received[received.length - 1]!;

describe('request bodies', () => {
  it('passes on a layout as large as the event service takes, and refuses a larger one, or a large body elsewhere, with a 413 problem', async () => {
    const { gateway } = await kit.gatewayWith();
    // 100,000 rows of one seat, as a probe sent them: 3.3 MB, past the gateway's former 1 MiB.
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ label: `R${i % 500}`, seats: 1 }));
    const layout = JSON.stringify({ name: 'Rows', sections: [{ id: 'S', name: 'S', tier: 'A', rows }] });
    expect(layout.length).toBeGreaterThan(2 * 1024 * 1024);
    const headers = { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'olga', role: 'organizer' })}`, 'content-type': 'application/json' };
    const passed = await gateway.inject({ method: 'POST', url: '/api/venues', headers, payload: layout });
    expect(passed.statusCode).toBe(201);
    expect(last()).toMatchObject({ url: '/api/venues', bytes: Buffer.byteLength(layout) });

    const before = received.length;
    const tooLarge = await gateway.inject({ method: 'POST', url: '/api/venues', headers, payload: `{"name":"${'x'.repeat(LAYOUT_BODY_LIMIT_BYTES)}"}` });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toMatch(/problem\+json/);
    // Other routes keep 1 MiB: the gateway reads a body whole before its rate limit can refuse it.
    const bigHold = await gateway.inject({ method: 'POST', url: '/api/holds', headers, payload: `{"eventId":"${'e'.repeat(1024 * 1024)}"}` });
    expect(bigHold.statusCode).toBe(413);
    expect(received.length).toBe(before);
  });
});

describe('forwarding headers', () => {
  it('appends the address the request came from to the chain trusted proxies sent, and drops what only proxies may say', async () => {
    const { gateway } = await kit.gatewayWith({ trustProxy: true });
    await gateway.inject({
      method: 'GET',
      url: '/api/availability/ev1',
      headers: { 'x-forwarded-for': '1.1.1.1, 2.2.2.2', forwarded: 'for=6.6.6.6', 'x-real-ip': '6.6.6.6', 'x-forwarded-port': '1' },
    });
    // It had been `1.1.1.1, 2.2.2.2, 1.1.1.1`: the client again, and the last hop lost.
    expect(last().headers['x-forwarded-for']).toBe('1.1.1.1, 2.2.2.2, 127.0.0.1');
    for (const name of ['forwarded', 'x-real-ip', 'x-forwarded-port']) expect(last().headers, name).not.toHaveProperty(name);

    const { gateway: direct } = await kit.gatewayWith();
    await direct.inject({ method: 'GET', url: '/api/availability/ev1', headers: { 'x-forwarded-for': '1.1.1.1' } });
    expect(last().headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});

describe('answers', () => {
  it('keeps the upstream’s hop-by-hop headers, and those its Connection names, at the gateway', async () => {
    const { gateway } = await kit.gatewayWith();
    const res = await gateway.inject({ method: 'GET', url: '/api/holds/hop-by-hop', headers: { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'ana', role: 'buyer' })}` } });
    expect(res.statusCode).toBe(200);
    for (const name of ['x-internal-secret', 'keep-alive', 'proxy-authenticate', 'upgrade', 'trailer']) expect(res.headers, name).not.toHaveProperty(name);
    expect(res.headers['x-end-to-end']).toBe('kept');
  });

  it('answers a POST whose connection broke after it was sent 502 outcome-unknown, with no Retry-After', async () => {
    const { gateway } = await kit.gatewayWith();
    const res = await gateway.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'ana', role: 'buyer' })}`, 'content-type': 'application/json' },
      payload: { holdId: 'h1', payment: { token: 'tok_slow' } },
    });
    expect(last().url).toBe('/api/orders');
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/outcome-unknown', service: 'BOOKING-SERVICE' });
    expect((res.json() as { detail: string }).detail).toMatch(/may have been carried out/);
    // A Retry-After read "nothing happened, try again": the payment may have gone through.
    expect(res.headers).not.toHaveProperty('retry-after');
  });
});
