/**
 * A registry that restarts comes back empty until its instances renew (and, getting 404,
 * register again). Lookups through the platform client ride that out: an app that vanished from
 * the fetched registry is kept for one lease duration, then dropped if it does not come back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';

const registries: DiscoveryApp[] = [];
afterAll(async () => {
  for (const d of registries) await d.app.close().catch(() => undefined);
});

async function registryOn(port: number): Promise<DiscoveryApp> {
  const discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, responseCacheMs: 0 });
  registries.push(discovery);
  await discovery.app.listen({ port, host: '127.0.0.1' });
  return discovery;
}

describe('lookups across a registry restart', () => {
  it('keep an app that vanished for one lease duration, then let it go', async () => {
    const first = await registryOn(0);
    const port = (first.app.server.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}/eureka`;
    const settings = { registryUrls: [url] };
    const service = testRegistryClient({ ...settings, app: 'EVENT-SERVICE', instanceId: 'event-1', port: 8081, leaseSeconds: 90 });
    const gateway = testRegistryClient({ ...settings, app: 'API-GATEWAY', instanceId: 'gw-1', port: 8082, leaseSeconds: 1 });
    await service.start();
    await gateway.start();
    expect(gateway.instances('EVENT-SERVICE').map((i) => i.instanceId)).toEqual(['event-1']);

    await first.app.close();
    await registryOn(port); // back, and empty
    // The first call may fail on the old keep-alive connection; the client then connects afresh.
    let fetched = false;
    for (let i = 0; i < 3 && !fetched; i++) fetched = await gateway.refresh();
    expect(fetched).toBe(true);
    expect(gateway.instances('EVENT-SERVICE').map((i) => i.instanceId)).toEqual(['event-1']);

    await new Promise((r) => setTimeout(r, 1_100)); // one (1 s) lease later, still not back
    expect(await gateway.refresh()).toBe(true);
    expect(gateway.instances('EVENT-SERVICE')).toEqual([]);
    await service.stop();
    await gateway.stop();
  });
});
