/**
 * The platform's service client in front of a real registry: an app that registered after the
 * caller's last registry fetch is found by fetching again, so the first request after a start
 * is served instead of answered "no instance registered".
 */
import { createLoadBalancer, createService, createServiceClient } from '@stream-seat/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { buildDiscoveryApp } from '../src/app.js';

const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('a service client', () => {
  it('asks the next instance when one turns the request away unserved (starting, shutting down), and reads the last one’s answer as it is', async () => {
    const serving = async (starting: boolean) => {
      const app = createService({ name: 'event', logger: false });
      app.get('/api/events/e1', async () => ({ id: 'e1' }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      if (starting) app.setStarting(true);
      const port = (app.server.address() as { port: number }).port;
      return { instanceId: `event-${port}`, app: 'EVENT-SERVICE', host: '127.0.0.1', port, status: 'UP' as const, url: `http://127.0.0.1:${port}` };
    };
    const [starting, live, alsoStarting] = [await serving(true), await serving(false), await serving(true)];
    const client = createServiceClient(createLoadBalancer({ instances: () => [starting, live] }), 'EVENT-SERVICE', { timeoutMs: 2_000 });
    for (let i = 0; i < 2; i++) expect(await client.getJson<{ id: string }>('/api/events/e1')).toMatchObject({ status: 200, body: { id: 'e1' } });
    const none = createServiceClient(createLoadBalancer({ instances: () => [starting, alsoStarting] }), 'EVENT-SERVICE', { timeoutMs: 2_000 });
    expect((await none.getJson('/api/events/e1')).status).toBe(503);
  });

  it('fetches the registry again when its copy lists no instance of the app, then calls it', async () => {
    const discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, responseCacheMs: 0 }).app;
    await discovery.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => discovery.close());
    const registryUrls = [`http://127.0.0.1:${(discovery.server.address() as { port: number }).port}/eureka`];

    // The caller fetched its copy of the registry before the catalogue registered.
    const caller = testRegistryClient({ registryUrls, app: 'BOOKING-SERVICE', port: 1 });
    await caller.start();
    closers.push(() => caller.stop());
    const catalogue = createService({ name: 'event', logger: false });
    catalogue.get('/api/events/e1', async () => ({ id: 'e1' }));
    await catalogue.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => catalogue.close());
    const registration = testRegistryClient({ registryUrls, app: 'EVENT-SERVICE', port: (catalogue.server.address() as { port: number }).port });
    await registration.start();
    closers.push(() => registration.stop());
    expect(caller.instances('EVENT-SERVICE')).toEqual([]);

    const client = createServiceClient(createLoadBalancer(caller), 'EVENT-SERVICE', { timeoutMs: 2_000 });
    const response = await client.getJson<{ id: string }>('/api/events/e1');
    expect(response).toMatchObject({ status: 200, body: { id: 'e1' } });
  });
});
