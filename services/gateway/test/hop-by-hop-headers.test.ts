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
import { endToEndHeaders, isRefusedByClient, mergedVary } from '../src/proxy/forwarded-headers.js';
import type { App } from '@stream-seat/platform';
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
      if (req.url?.includes('/slow')) {
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
      // What the gateway itself sets cannot be named away: it is set after the client's headers are filtered.
      { connection: 'x-request-id, x-forwarded-for, traceparent, x-forwarded-proto', 'x-request-id': 'client-chosen' },
    ];
    // Well past the breaker's volume (10 requests) at 100 % of them.
    seen.length = 0;
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
    for (const headers of seen) {
      expect(headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(headers['x-forwarded-proto']).toBe('http');
      expect(headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(headers['x-request-id']).toMatch(/.+/);
    }
    const routes = (await gateway.inject({ method: 'GET', url: '/gateway/routes' })).json() as Array<{ uri: string; circuits: Record<string, string> }>;
    const booking = routes.filter((r) => r.uri === 'lb://BOOKING-SERVICE');
    expect(booking.length).toBeGreaterThan(0);
    for (const route of booking) expect(Object.values(route.circuits)).toEqual(['CLOSED']);
  });
});

describe('a client that leaves before the answer', () => {
  /** Sends a request over its own socket (a POST with its whole body) and closes it once the upstream has it. */
  async function leaveAfterArrival(port: number, path: string, arrived: Promise<void>, method: 'GET' | 'POST' = 'GET'): Promise<void> {
    const body = method === 'POST' ? 'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' : '\r\n';
    const socket = connect(port, '127.0.0.1', () => socket.write(`${method} ${path} HTTP/1.1\r\nHost: gw\r\n${body}`));
    await arrived;
    await new Promise<void>((resolve) => socket.destroy().once('close', () => resolve()));
  }

  const pendingOf = async (gateway: App) => {
    const metrics = (await gateway.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(/^gateway_upstream_requests_pending(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1]);
  };
  const circuitsOf = async (gateway: App) => {
    const routes = (await gateway.inject({ method: 'GET', url: '/gateway/routes' })).json() as Array<{ uri: string; circuits: Record<string, string> }>;
    return [...new Set(routes.filter((r) => r.uri === 'lb://BOOKING-SERVICE').flatMap((r) => Object.values(r.circuits)))];
  };

  it('leaves no request pending in the gateway once the instance answers it', async () => {
    const { gateway } = await kit.gatewayWith();
    const port = await listenOnLoopback(gateway);
    expect(await pendingOf(gateway)).toBe(0);
    const clients = 12;
    for (let i = 0; i < clients; i++) {
      // Half of them POSTs, sent whole: Node does not mark those requests aborted when their client leaves.
      const [method, path] = i % 2 ? (['POST', '/api/holds/slow'] as const) : (['GET', '/api/availability/slow'] as const);
      await leaveAfterArrival(port, path, new Promise<void>((resolve) => (slowArrived = resolve)), method);
    }
    // Waiting on the instance, which has not answered yet.
    expect(await pendingOf(gateway)).toBe(clients);
    answerSlow();
    // Before, each of them stayed pending for good: reply-from skips onResponse for a client that left.
    await expect.poll(() => pendingOf(gateway)).toBe(0);
    expect(await circuitsOf(gateway)).toEqual(['CLOSED']);
    expect((await gateway.inject({ method: 'GET', url: '/api/availability/evt-2' })).statusCode).toBe(200);
  });

  it('still counts an instance that never answers against it, though its callers have left', async () => {
    // A kit of its own: its only booking instance accepts requests and never answers them.
    const own = await startGatewayTestKit(TEST_JWT_SECRET);
    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      let arrived: () => void = () => undefined;
      hung.on('request', () => arrived());
      await own.registerInstance('BOOKING-SERVICE', 'booking-hung', (hung.address() as { port: number }).port);
      const { gateway } = await own.gatewayWith({ upstreamTimeoutMs: 300, breakers: { volumeThreshold: 3 } });
      const port = await listenOnLoopback(gateway);
      for (let i = 0; i < 3; i++) await leaveAfterArrival(port, '/api/availability/evt-3', new Promise<void>((resolve) => (arrived = resolve)));
      // Each times out at the gateway and counts: the circuit opens, and nothing stays pending.
      await expect.poll(() => circuitsOf(gateway), { timeout: 5_000 }).toEqual(['OPEN']);
      // Settled just after the circuit counts the last one (a loaded machine shows the gap).
      await expect.poll(() => pendingOf(gateway), { timeout: 5_000 }).toBe(0);
    } finally {
      hung.closeAllConnections();
      hung.close();
      await own.close();
    }
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

describe("an answer's Vary", () => {
  it("keeps the gateway's and the service's, each once, whatever their case", () => {
    expect(mergedVary('Origin', 'accept-encoding')).toBe('Origin, accept-encoding');
    expect(mergedVary('Origin', 'Origin, Accept-Encoding')).toBe('Origin, Accept-Encoding');
    expect(mergedVary(undefined, 'accept-encoding')).toBe('accept-encoding');
    expect(mergedVary('Origin', undefined)).toBe('Origin');
    expect(mergedVary(['Origin', 'Accept'], 'accept')).toBe('Origin, Accept');
    expect(mergedVary('Origin', '*')).toBe('*');
    expect(mergedVary(undefined, undefined)).toBeUndefined();
  });
});
