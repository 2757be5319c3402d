/**
 * Delivery to booking instances over real loopback HTTP: an instance that does not answer (frozen:
 * it takes the connection and never replies) is tried after the others until its cool-off ends,
 * rather than costing every message in its turn the whole timeout.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CatalogueMessage } from '@stream-seat/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE_MESSAGES_PATH, createHttpDelivery } from '../src/outbox/booking-delivery.js';

interface Instance {
  url: string;
  /** Messages that reached it (answered or not). */
  hits: string[];
  server: Server;
}

/** `answer`: the status it answers with; undefined: it never answers (frozen). */
async function startInstance(answer: () => number | undefined): Promise<Instance> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      hits.push((JSON.parse(body) as CatalogueMessage).id);
      const status = req.url === CATALOGUE_MESSAGES_PATH ? answer() : 404;
      if (status !== undefined) res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

const message = (n: number): CatalogueMessage => ({ id: `m${n}`, type: 'event.published', eventId: 'ev1', occurredAt: '2031-01-01T00:00:00.000Z' }) as CatalogueMessage;

describe('delivery to booking instances', () => {
  let frozen: Instance;
  let healthy: Instance;
  let failing: Instance;
  let failingStatus = 503;

  beforeAll(async () => {
    [frozen, healthy, failing] = await Promise.all([startInstance(() => undefined), startInstance(() => 200), startInstance(() => failingStatus)]);
  });
  afterAll(async () => {
    for (const { server } of [frozen, healthy, failing]) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('tries an instance that timed out after the others until its cool-off ends, whatever the turn', async () => {
    let now = 1_000_000;
    const turns: string[][] = [];
    // Round robin, as the load balancer gives them: the frozen instance first every other message.
    const deliver = createHttpDelivery({
      targets: () => {
        const order = turns.length % 2 === 0 ? [frozen.url, healthy.url] : [healthy.url, frozen.url];
        turns.push(order);
        return order;
      },
      timeoutMs: 300,
      serviceToken: 't',
      coolOffMs: 30_000,
      clock: () => now,
    });
    for (let n = 0; n < 6; n++) await deliver(message(n));
    // The first message waited out the timeout there; the next five went to the healthy one at once.
    expect(frozen.hits).toEqual(['m0']);
    expect(healthy.hits).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    // Its cool-off over, it is tried in its turn again.
    now += 30_001;
    await deliver(message(6));
    expect(frozen.hits).toEqual(['m0', 'm6']);
    expect(healthy.hits.at(-1)).toBe('m6');
  });

  it('still tries an instance cooling off when it is the only one, and counts a 5xx but not a 4xx', async () => {
    const now = 2_000_000;
    const only = createHttpDelivery({ targets: () => [frozen.url], timeoutMs: 100, serviceToken: 't', clock: () => now });
    await expect(only(message(10))).rejects.toThrow();
    await expect(only(message(11))).rejects.toThrow();
    expect(frozen.hits.slice(-2)).toEqual(['m10', 'm11']);
    // A 503 sends it last, as a timeout does.
    failingStatus = 503;
    const deliver = createHttpDelivery({ targets: () => [failing.url, healthy.url], timeoutMs: 300, serviceToken: 't', clock: () => now });
    await deliver(message(20));
    await deliver(message(21));
    expect(failing.hits).toEqual(['m20']);
    // A 422 refuses the message, not the instance: it stays first.
    failingStatus = 422;
    const refusing = createHttpDelivery({ targets: () => [failing.url, healthy.url], timeoutMs: 300, serviceToken: 't', clock: () => now });
    await refusing(message(30));
    await refusing(message(31));
    expect(failing.hits.slice(-2)).toEqual(['m30', 'm31']);
  });
});
