/**
 * One of two instances freezes (a stopped process: it takes connections and answers nothing): the
 * gateway sends new requests to its peer at once, since the frozen one's unanswered requests pile
 * up — not every other request until its lease runs out. Plain node:http servers registered as the
 * booking service, in front of a real registry.
 */
import { signDevToken } from '@stream-seat/platform';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
const servers: Server[] = [];
/** API requests each instance received. */
const received = { frozen: 0, live: 0 };

async function upstream(name: keyof typeof received, answers: boolean): Promise<number> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (!req.url?.startsWith('/api/')) return void res.end();
      received[name]++;
      if (answers) res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
  await kit.registerInstance('BOOKING-SERVICE', 'booking-frozen', await upstream('frozen', false));
  await kit.registerInstance('BOOKING-SERVICE', 'booking-live', await upstream('live', true));
});

afterAll(async () => {
  await kit?.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe('the gateway in front of a frozen instance', () => {
  it('sends every new request to the instance that answers once the frozen one holds one unanswered', async () => {
    const { gateway } = await kit.gatewayWith({ upstreamTimeoutMs: 4_000 });
    const headers = { authorization: `Bearer ${await signDevToken(TEST_JWT_SECRET, { sub: 'fay', role: 'buyer' })}` };
    const get = () => gateway.inject({ method: 'GET', url: '/api/orders', headers });
    // Two at once: the balancer's turn sends one to each; the frozen one's hangs.
    const hanging = [get(), get()];
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.frozen).toBeGreaterThanOrEqual(1);
    const frozenBefore = received.frozen;
    // Ten more, one after another: each goes to the instance that answers (every other one had
    // gone to the frozen one, and waited there for its timeout, a 504).
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get()).statusCode);
    expect(statuses).toEqual(Array(10).fill(200));
    expect(received.frozen).toBe(frozenBefore);
    expect((await Promise.all(hanging)).map((r) => r.statusCode).sort()).toEqual([200, 504]);
  }, 30_000);
});
