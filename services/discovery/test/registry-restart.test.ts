/**
 * A registry that restarts comes back empty until its instances renew (and, getting 404,
 * register again). Lookups through the platform client ride that out: an app that vanished from
 * the fetched registry is kept for one lease duration, then dropped if it does not come back.
 * A registry that stays down leaves the clients serving lookups from their cached copy, and
 * still ready: readiness waits only for the first registration and the first copy.
 */
import { createService, REGISTRY_WARMING_UP_HEADER, registryReadinessCheck } from '@stream-seat/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';

const registries: DiscoveryApp[] = [];
afterAll(async () => {
  for (const d of registries) await d.app.close().catch(() => undefined);
});

async function registryOn(port: number, warmupMs = 0, peers: string[] = []): Promise<DiscoveryApp> {
  const discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, responseCacheMs: 0, warmupMs, peers, peerTimeoutMs: 1_000 });
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

describe('lookups across a registry restart, an app of two instances', () => {
  /** Two instances of an app, one renewing every second and one not for an hour; a gateway that knows both. */
  async function twoInstances(url: string) {
    const settings = { registryUrls: [url], app: 'BOOKING-SERVICE', leaseSeconds: 90 };
    const quick = testRegistryClient({ ...settings, instanceId: 'booking-quick', port: 8080, renewSeconds: 1 });
    const slow = testRegistryClient({ ...settings, instanceId: 'booking-slow', port: 8090 });
    const gateway = testRegistryClient({ registryUrls: [url], app: 'API-GATEWAY', instanceId: 'gw-3', port: 8082, leaseSeconds: 30 });
    await quick.start();
    await slow.start();
    await gateway.start();
    const listed = () => gateway.instances('BOOKING-SERVICE').map((i) => i.instanceId).sort();
    expect(listed()).toEqual(['booking-quick', 'booking-slow']);
    return { quick, slow, gateway, listed };
  }
  const refreshed = async (gateway: ReturnType<typeof testRegistryClient>) => {
    // The first call may fail on the old keep-alive connection; the client then connects afresh.
    let fetched = false;
    for (let i = 0; i < 3 && !fetched; i++) fetched = await gateway.refresh();
    expect(fetched).toBe(true);
  };

  it('keep the instance that has not registered again while the restarted registry warms up', async () => {
    const first = await registryOn(0);
    const port = (first.app.server.address() as { port: number }).port;
    const { quick, slow, gateway, listed } = await twoInstances(`http://127.0.0.1:${port}/eureka`);
    await first.app.close();
    const second = await registryOn(port, 60_000); // back, empty, warming up
    const registeredAgain = async () => {
      const res = await second.app.inject({ method: 'GET', url: '/eureka/apps/BOOKING-SERVICE', headers: { accept: 'application/json' } });
      return (res.statusCode === 200 && res.body.includes('booking-quick')) || undefined;
    };
    await eventually(registeredAgain, 10_000, 'the quick instance to register again');
    await refreshed(gateway);
    // Before, the app was its first instance back, alone, until the other renewed.
    expect(listed()).toEqual(['booking-quick', 'booking-slow']);
    for (const client of [quick, slow, gateway]) await client.stop();
  });

  it('drop an instance that deregistered at once, from a registry not warming up', async () => {
    const registry = await registryOn(0);
    const { quick, slow, gateway, listed } = await twoInstances(`http://127.0.0.1:${(registry.app.server.address() as { port: number }).port}/eureka`);
    await slow.stop();
    await refreshed(gateway);
    expect(listed()).toEqual(['booking-quick']);
    for (const client of [quick, gateway]) await client.stop();
  });
});

describe('a registry that starts beside a peer', () => {
  const urlOf = (d: DiscoveryApp) => `http://127.0.0.1:${(d.app.server.address() as { port: number }).port}/eureka`;
  /** How long more a registry says it is warming up (undefined: it does not). */
  const warmingUp = async (d: DiscoveryApp) => {
    const header = (await d.app.inject({ method: 'GET', url: '/eureka/apps', headers: { accept: 'application/json' } })).headers[REGISTRY_WARMING_UP_HEADER];
    return header === undefined ? undefined : Number(header);
  };

  it('warms up as long as the peer it copied, when that peer was warming up itself (the two restarted together)', async () => {
    const restarted = await registryOn(0, 60_000); // no peer: empty, warming up
    const beside = await registryOn(0, 60_000, [urlOf(restarted)]);
    // Before, its copy of a near-empty registry counted as whole: clients dropped the instances
    // that had not registered again yet, the warm-up of the peer notwithstanding.
    const left = await warmingUp(beside);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual((await warmingUp(restarted)) ?? 0);
  });

  it('does not warm up with a copy from a peer that was not', async () => {
    const running = await registryOn(0);
    expect(await warmingUp(running)).toBeUndefined();
    const beside = await registryOn(0, 60_000, [urlOf(running)]);
    expect(await warmingUp(beside)).toBeUndefined();
  });
});

describe('lookups across a registry outage longer than a lease', () => {
  it('keep the apps through the registry\'s first (empty) answers, counting the lease from then', async () => {
    const first = await registryOn(0);
    const port = (first.app.server.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}/eureka`;
    const service = testRegistryClient({ registryUrls: [url], app: 'EVENT-SERVICE', instanceId: 'event-2', port: 8081, leaseSeconds: 90 });
    const gateway = testRegistryClient({ registryUrls: [url], app: 'API-GATEWAY', instanceId: 'gw-2', port: 8082, leaseSeconds: 1 });
    await service.start();
    await gateway.start();
    expect(gateway.instances('EVENT-SERVICE').map((i) => i.instanceId)).toEqual(['event-2']);

    // Down for longer than the gateway's (1 s) lease: fetches fail, the cached copy serves.
    await first.app.close();
    expect(await gateway.refresh()).toBe(false);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await gateway.refresh()).toBe(false);
    expect(gateway.instances('EVENT-SERVICE').map((i) => i.instanceId)).toEqual(['event-2']);
    // Back, and empty until its instances renew: the app is kept (before, it vanished here).
    await registryOn(port);
    let fetched = false;
    for (let i = 0; i < 3 && !fetched; i++) fetched = await gateway.refresh();
    expect(fetched).toBe(true);
    expect(gateway.instances('EVENT-SERVICE').map((i) => i.instanceId)).toEqual(['event-2']);
    // A lease after that first empty answer, still not back: let go.
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await gateway.refresh()).toBe(true);
    expect(gateway.instances('EVENT-SERVICE')).toEqual([]);
    await service.stop();
    await gateway.stop();
  });
});

describe('an instance across a registry restart', () => {
  it('registers again at its next renewal, once the registry no longer knows its lease', async () => {
    const first = await registryOn(0);
    const port = (first.app.server.address() as { port: number }).port;
    const service = testRegistryClient({ registryUrls: [`http://127.0.0.1:${port}/eureka`], app: 'EVENT-SERVICE', instanceId: 'event-1', port: 8081, renewSeconds: 1 });
    await service.start();
    await first.app.close();
    const second = await registryOn(port); // back, and empty
    const listed = async () => {
      const res = await second.app.inject({ method: 'GET', url: '/eureka/apps/EVENT-SERVICE', headers: { accept: 'application/json' } });
      return res.statusCode === 200 ? res.json() : undefined;
    };
    // The new registry started empty: whatever lists the instance now is its own registration again.
    const app = await eventually(listed, 10_000, 'the instance to register again');
    expect(JSON.stringify(app)).toContain('event-1');
    await service.stop();
  });
});

describe('a registry that stays down', () => {
  it('leaves lookups answering from the cached copy, and the instance ready with a note', async () => {
    const registry = await registryOn(0);
    const url = `http://127.0.0.1:${(registry.app.server.address() as { port: number }).port}/eureka`;
    const service = testRegistryClient({ registryUrls: [url], app: 'EVENT-SERVICE', instanceId: 'event-1', port: 8081 });
    const gateway = testRegistryClient({ registryUrls: [url], app: 'API-GATEWAY', instanceId: 'gw-1', port: 8082 });
    await service.start();
    await gateway.start();
    const app = createService({ name: 'gateway', logger: false });
    app.addReadinessCheck(registryReadinessCheck(gateway));
    const ready = async () => (await app.inject({ method: 'GET', url: '/ready' })).json() as { status: string; checks: Record<string, string> };
    expect(await ready()).toMatchObject({ status: 'UP', checks: { registry: 'UP' } });

    await registry.app.close();
    expect(await gateway.refresh()).toBe(false);
    expect(gateway.isHealthy()).toBe(false);
    expect(gateway.instances('EVENT-SERVICE').map((i) => i.instanceId)).toEqual(['event-1']);
    const during = await ready();
    expect(during.status).toBe('UP');
    expect(during.checks['registry']).toMatch(/^UP: registry unreachable for \d+ s; serving lookups from the cached copy$/);
    await service.stop();
    await gateway.stop();
    await app.close();
  });

  it('makes an instance nobody finds through the registry (the gateway) ready with a copy, its registration refused or not', async () => {
    // Writes need a token this client lacks; reads are open.
    const discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, responseCacheMs: 0, token: 'registry-secret-token' });
    registries.push(discovery);
    await discovery.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(discovery.app.server.address() as { port: number }).port}/eureka`;
    const refused = testRegistryClient({ registryUrls: [url], app: 'API-GATEWAY', instanceId: 'gw-refused', port: 8082 });
    await refused.start();
    const ready = async (needsRegistration: boolean) => {
      const app = createService({ name: 'gateway', logger: false });
      app.addReadinessCheck(registryReadinessCheck(refused, needsRegistration));
      const res = await app.inject({ method: 'GET', url: '/ready' });
      await app.close();
      return { status: res.statusCode, registry: (res.json() as { checks: Record<string, string> }).checks['registry'] };
    };
    await eventually(async () => (await refused.refresh()) || undefined, 5_000, 'a copy of the registry');
    // Before, the gateway's own registration refused kept it unready for good: no target for the load balancer.
    expect(await ready(false)).toEqual({ status: 200, registry: 'UP' });
    // An instance others find through the registry stays unready until it is there.
    expect(await ready(true)).toMatchObject({ status: 503, registry: 'DOWN: not registered yet' });
    await refused.stop();
  });

  it('keeps an instance that never registered unready', async () => {
    const registry = await registryOn(0);
    const url = `http://127.0.0.1:${(registry.app.server.address() as { port: number }).port}/eureka`;
    await registry.app.close();
    const lonely = testRegistryClient({ registryUrls: [url], app: 'BOOKING-SERVICE', instanceId: 'booking-1', port: 8080 });
    await lonely.start();
    const app = createService({ name: 'booking', logger: false });
    app.addReadinessCheck(registryReadinessCheck(lonely));
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ checks: { registry: 'DOWN: not registered yet' } });
    await lonely.stop();
    await app.close();
  });
});
