/**
 * What a client's request and its connection can do to the gateway's view of an instance. A
 * client's hop-by-hop request headers stay at the gateway: forwarded, `Expect`, `Keep-Alive` or a
 * bare `Upgrade` made undici refuse the request, which the gateway counted against the instance —
 * about a dozen anonymous requests opened the circuit of a healthy booking instance for everyone.
 * And a client that leaves before the answer neither counts against the instance nor leaves its
 * request pending in the gateway.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../tests/support/free-port.js';
import { TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { endToEndHeaders, isRefusedByClient } from '../src/proxy/forwarded-headers.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
let upstream: Server;
/** The headers of each API request the upstream received. */
const seen: IncomingHttpHeaders[] = [];
/** Requests to /api/slow wait for this to be called (one call answers all waiting). */
let answerSlow: () => void = () => undefined;
let slowArrived: () => void = () => undefined;

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"seats":{}}');
      if (req.url?.startsWith('/api/availability/slow')) {
        slowArrived();
        const previous = answerSlow;
        answerSlow = () => {
          previous();
          answer();
        };
        return;
      }
      if (req.url?.startsWith('/api/')) seen.push(req.headers);
      answer();
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  await kit.registerInstance('BOOKING-SERVICE', 'booking-hop', (upstream.address() as { port: number }).port);
});

afterAll(async () => {
  await kit?.close();
  upstream?.closeAllConnections();
  upstream?.close();
});

describe('hop-by-hop request headers', () => {
  it('are not forwarded, so no anonymous client can open a healthy instance’s circuit with them', async () => {
    const { gateway } = await kit.gatewayWith();
    const hostile: Array<Record<string, string>> = [
      { expect: '100-continue' },
      { 'keep-alive': 'timeout=5' },
      { upgrade: 'h2c' },
      { te: 'trailers', 'proxy-authorization': 'Basic eDp5', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA' },
      { connection: 'x-client-hop, keep-alive', 'x-client-hop': 'gateway only', 'x-end-to-end': 'kept' },
    ];
    // Well past the breaker's volume (10 requests) at 100 % of them.
    for (let round = 0; round < 5; round++) {
      for (const headers of hostile) {
        const res = await gateway.inject({ method: 'GET', url: '/api/availability/evt-1', headers });
        expect(res.statusCode, JSON.stringify(headers)).toBe(200);
      }
    }
    expect(seen).toHaveLength(5 * hostile.length);
    for (const headers of seen) {
      for (const name of ['expect', 'keep-alive', 'upgrade', 'te', 'proxy-authorization', 'http2-settings', 'x-client-hop']) {
        expect(headers, name).not.toHaveProperty(name);
      }
    }
    expect(seen.filter((h) => h['x-end-to-end'] === 'kept')).toHaveLength(5);
    const routes = (await gateway.inject({ method: 'GET', url: '/gateway/routes' })).json() as Array<{ uri: string; circuits: Record<string, string> }>;
    const booking = routes.filter((r) => r.uri === 'lb://BOOKING-SERVICE');
    expect(booking.length).toBeGreaterThan(0);
    for (const route of booking) expect(Object.values(route.circuits)).toEqual(['CLOSED']);
  });
});

describe('a client that leaves before the answer', () => {
  it('leaves no request pending in the gateway, and does not count against the instance', async () => {
    const { gateway } = await kit.gatewayWith();
    const port = await listenOnLoopback(gateway);
    const pending = async () => {
      const metrics = (await gateway.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^gateway_upstream_requests_pending(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1]);
    };
    expect(await pending()).toBe(0);
    const clients = 12;
    for (let i = 0; i < clients; i++) {
      const arrived = new Promise<void>((resolve) => (slowArrived = resolve));
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/availability/slow HTTP/1.1\r\nHost: gw\r\n\r\n'));
      // Gone once the upstream has the request, before it answers.
      await arrived;
      await new Promise<void>((resolve) => socket.destroy().once('close', () => resolve()));
    }
    await expect.poll(pending).toBe(0);
    answerSlow();
    const res = await gateway.inject({ method: 'GET', url: '/api/availability/evt-2' });
    expect(res.statusCode).toBe(200);
    const routes = (await gateway.inject({ method: 'GET', url: '/gateway/routes' })).json() as Array<{ uri: string; circuits: Record<string, string> }>;
    for (const route of routes.filter((r) => r.uri === 'lb://BOOKING-SERVICE')) expect(Object.values(route.circuits)).toEqual(['CLOSED']);
  });
});

describe('endToEndHeaders', () => {
  it('drops the hop-by-hop headers and those Connection names, but never the framing headers', () => {
    expect(
      endToEndHeaders({
        connection: 'close, X-Trace-Hop, content-length, Host',
        'x-trace-hop': '1',
        'content-length': '2',
        host: 'gw',
        'transfer-encoding': 'chunked',
        trailer: 'x',
        'proxy-connection': 'keep-alive',
        authorization: 'Bearer t',
      }),
    ).toEqual({ 'content-length': '2', host: 'gw', authorization: 'Bearer t' });
  });

  it('takes undici’s refusals of a request for the caller’s fault, and connection failures not', () => {
    expect(isRefusedByClient('UND_ERR_NOT_SUPPORTED')).toBe(true);
    expect(isRefusedByClient('UND_ERR_INVALID_ARG')).toBe(true);
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', undefined]) expect(isRefusedByClient(code)).toBe(false);
  });
});
