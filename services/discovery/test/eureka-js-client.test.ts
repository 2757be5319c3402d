/**
 * An independent Eureka client, the npm package `eureka-js-client` (written by nobody here), against
 * our server on a real port: it registers, heartbeats, fetches the full registry and deltas, sees
 * our own services registered by the platform's client, and deregisters.
 */
import { once } from 'node:events';
// A named import: vitest and Node disagree on what the default export of this CommonJS module is.
import { Eureka } from 'eureka-js-client';
import { type RegistryClient } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let discovery: DiscoveryApp;
let port: number;
const ours: RegistryClient[] = [];

function ourService(app: string, servicePort: number): RegistryClient {
  const client = testRegistryClient({
    registryUrls: [`http://127.0.0.1:${port}/eureka`],
    app,
    instanceId: `127.0.0.1:${app.toLowerCase()}:${servicePort}`,
    port: servicePort,
  });
  ours.push(client);
  return client;
}

function jsClient(servicePath: string) {
  return new Eureka({
    instance: {
      app: 'JS-CLIENT',
      instanceId: 'js-client-1',
      hostName: 'js-host',
      ipAddr: '127.0.0.1',
      statusPageUrl: 'http://127.0.0.1:3000/info',
      port: { $: 3000, '@enabled': true },
      vipAddress: 'js-client',
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    },
    eureka: { host: '127.0.0.1', port, servicePath, heartbeatInterval: 3_600_000, registryFetchInterval: 3_600_000, maxRetries: 0 },
    shouldUseDelta: true,
    logger: quiet,
  });
}

const call = (fn: (cb: (error?: Error | null) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));

beforeAll(async () => {
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false });
  await discovery.app.listen({ port: 0, host: '127.0.0.1' });
  port = (discovery.app.server.address() as { port: number }).port;
  await ourService('EVENT-SERVICE', 8081).start();
});
afterAll(async () => {
  for (const client of ours) await client.stop();
  await discovery.app.close();
});

describe.each(['/eureka/apps/', '/eureka/v2/apps/'])('eureka-js-client with servicePath %s', (servicePath) => {
  it('registers, heartbeats, fetches full and delta registries, and deregisters', async () => {
    const client = jsClient(servicePath);
    await call((cb) => client.start(cb));
    expect(discovery.registry.instance('JS-CLIENT', 'js-client-1')?.status).toBe('UP');

    // Full fetch: it sees our own service and itself.
    expect(client.getInstancesByAppId('EVENT-SERVICE').map((i) => i.port?.$)).toEqual([8081]);
    expect(client.getInstancesByVipAddress('js-client')).toHaveLength(1);

    const heartbeat = once(client, 'heartbeat');
    client.renew();
    await heartbeat;

    // A lease the registry no longer knows: the heartbeat's 404 makes it register again.
    discovery.registry.cancel('JS-CLIENT', 'js-client-1');
    const registered = once(client, 'registered');
    client.renew();
    await registered;
    expect(discovery.registry.instance('JS-CLIENT', 'js-client-1')).toBeDefined();

    // Delta: a service of ours that starts now shows up through /apps/delta.
    const booking = ourService('BOOKING-SERVICE', 8080 + ours.length);
    await booking.start();
    await call((cb) => client.fetchDelta(cb));
    expect(client.getInstancesByAppId('BOOKING-SERVICE')).toHaveLength(1);
    await booking.stop();
    await call((cb) => client.fetchDelta(cb));
    expect(client.getInstancesByAppId('BOOKING-SERVICE')).toHaveLength(0);

    await call((cb) => client.stop(cb));
    expect(discovery.registry.instance('JS-CLIENT', 'js-client-1')).toBeUndefined();
  });
});
