/**
 * Two registries replicated in process on 127.0.0.1: what is registered on one appears on the
 * other, replicated calls are never replicated again, a starting registry copies its peer, and
 * services keep registering and resolving through the survivor when one registry stops.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { freePort } from '../../../tests/support/free-port.js';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { instanceBody } from './eureka-fixtures.js';

const started: DiscoveryApp[] = [];
const servers: Server[] = [];

async function startRegistry(port: number, peers: string[]): Promise<DiscoveryApp> {
  const discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, peers, peerTimeoutMs: 1_000 });
  started.push(discovery);
  await discovery.app.listen({ port, host: '127.0.0.1' });
  return discovery;
}

/** A peer that only records what it is sent. */
async function spyPeer(): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    request.resume();
    response.statusCode = request.method === 'POST' ? 204 : 200;
    response.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/eureka`, requests };
}

afterEach(async () => {
  for (const d of started.splice(0)) await d.app.close().catch(() => undefined);
  for (const s of servers.splice(0)) s.close();
});

const url = (port: number) => `http://127.0.0.1:${port}/eureka`;

describe('replication', () => {
  it('replicates register, renew, status and cancel to the peer, and the peer does not replicate them again', async () => {
    const spy = await spyPeer();
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startRegistry(portA, [url(portB)]);
    const b = await startRegistry(portB, [spy.url]);

    await a.app.inject({ method: 'POST', url: '/eureka/apps/EVENT-SERVICE', payload: instanceBody('EVENT-SERVICE', 'e1') });
    await a.replicator.flush();
    expect(b.registry.instance('EVENT-SERVICE', 'e1')?.ipAddr).toBe('10.0.1.7');

    await a.app.inject({ method: 'PUT', url: '/eureka/apps/EVENT-SERVICE/e1/status?value=OUT_OF_SERVICE' });
    await a.app.inject({ method: 'PUT', url: '/eureka/apps/EVENT-SERVICE/e1' });
    await a.replicator.flush();
    expect(b.registry.instance('EVENT-SERVICE', 'e1')?.status).toBe('OUT_OF_SERVICE');
    expect(b.registry.stats().renewalsLastMinute).toBe(1);

    await a.app.inject({ method: 'DELETE', url: '/eureka/apps/EVENT-SERVICE/e1' });
    await a.replicator.flush();
    expect(b.registry.instance('EVENT-SERVICE', 'e1')).toBeUndefined();

    await b.replicator.flush();
    // B's only call to its peer so far is its start-up copy (a GET).
    expect(spy.requests.map((r) => r.method)).toEqual(['GET']);
    spy.requests.length = 0;
    // A client's own call to B is replicated onwards, marked as replication.
    await b.app.inject({ method: 'POST', url: '/eureka/apps/EVENT-SERVICE', payload: instanceBody('EVENT-SERVICE', 'e2') });
    await b.replicator.flush();
    expect(spy.requests.map((r) => [r.method, r.url, r.headers['x-netflix-discovery-replication']])).toEqual([
      ['POST', '/eureka/apps/EVENT-SERVICE', 'true'],
    ]);
  });

  it('registers an instance on a peer that did not know it when a renewal gets 404 there', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startRegistry(portA, [url(portB)]);
    await a.app.inject({ method: 'POST', url: '/eureka/apps/EVENT-SERVICE', payload: instanceBody('EVENT-SERVICE', 'e1') });
    await a.replicator.flush();
    // B starts late, after A's failed attempt, and copies A at start-up; drop that copy to see the 404 path.
    const b = await startRegistry(portB, []);
    b.registry.cancel('EVENT-SERVICE', 'e1');
    await a.app.inject({ method: 'PUT', url: '/eureka/apps/EVENT-SERVICE/e1' });
    await a.replicator.flush();
    expect(b.registry.instance('EVENT-SERVICE', 'e1')).toBeDefined();
  });

  it('a starting registry copies the registry of its peer', async () => {
    const [portA, portC] = [await freePort(), await freePort()];
    const a = await startRegistry(portA, []);
    await a.app.inject({ method: 'POST', url: '/eureka/apps/EVENT-SERVICE', payload: instanceBody('EVENT-SERVICE', 'e1') });
    await a.app.inject({ method: 'POST', url: '/eureka/apps/BOOKING-SERVICE', payload: instanceBody('BOOKING-SERVICE', 'b1') });
    const c = await startRegistry(portC, [`http://127.0.0.1:${portC}/eureka`, url(portA)]);
    expect(c.registry.applications().map((app) => app.name)).toEqual(['BOOKING-SERVICE', 'EVENT-SERVICE']);
    // It listed itself among its peers and found out: it replicates to itself no more.
    await c.app.inject({ method: 'POST', url: '/eureka/apps/X', payload: instanceBody('X', 'x1') });
    await c.replicator.flush();
    expect(c.replicator.peers().map((p) => p.self)).toEqual([true, false]);
  });

  it('services keep registering and resolving through the other registry when one stops', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startRegistry(portA, [url(portB)]);
    const b = await startRegistry(portB, [url(portA)]);
    const client = (app: string, port: number) =>
      testRegistryClient({
        registryUrls: [url(portA), url(portB)],
        app,
        instanceId: `127.0.0.1:${app}:${port}`,
        port,
      });
    const event = client('EVENT-SERVICE', 8081);
    await event.start();
    await a.replicator.flush();
    expect(b.registry.instance('EVENT-SERVICE', '127.0.0.1:EVENT-SERVICE:8081')).toBeDefined();

    await a.app.close();
    const gateway = client('API-GATEWAY', 8082);
    await gateway.start();
    expect(gateway.isHealthy()).toBe(true);
    expect(b.registry.instance('API-GATEWAY', '127.0.0.1:API-GATEWAY:8082')).toBeDefined();
    expect(gateway.instances('event-service').map((i) => i.url)).toEqual(['http://127.0.0.1:8081']);
    expect(await event.refresh()).toBe(true);
    expect(event.instances('API-GATEWAY')).toHaveLength(1);
    await gateway.stop();
    await event.stop();
    expect(b.registry.size()).toBe(0);
  });
});
