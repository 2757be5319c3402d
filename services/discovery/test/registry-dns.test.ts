/**
 * A registry found by DNS name (`eureka.stream-seat.local` on Cloud Map) that comes back with a
 * new IP is found again without restarting the client: the client resolves the name again after a
 * failure. DNS is fabricated with the client's `lookup` option; the addresses are on loopback.
 */
import type { LookupFunction } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { instanceBody } from './eureka-fixtures.js';

const apps: DiscoveryApp[] = [];
afterAll(async () => {
  for (const d of apps) await d.app.close().catch(() => undefined);
});

async function registryOn(host: string, port: number): Promise<DiscoveryApp> {
  const discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false });
  apps.push(discovery);
  await discovery.app.listen({ port, host });
  return discovery;
}

describe('a registry behind a DNS name', () => {
  it('is found again at its new address after it moved', async () => {
    const first = await registryOn('127.0.0.1', 0);
    const port = (first.app.server.address() as { port: number }).port;
    let current = '127.0.0.1';
    const resolved: string[] = [];
    const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (hostname !== 'eureka.stream-seat.test') return callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
      resolved.push(current);
      if (options.all) callback(null, [{ address: current, family: 4 }]);
      else callback(null, current, 4);
    }) as LookupFunction;
    const client = testRegistryClient({
      registryUrls: [`http://eureka.stream-seat.test:${port}/eureka`],
      app: 'EVENT-SERVICE',
      instanceId: 'e1',
      port: 8081,
      lookup,
    });
    await client.start();
    expect(first.registry.instance('EVENT-SERVICE', 'e1')).toBeDefined();

    // The registry task is replaced: the old address answers no more, the name points elsewhere.
    await first.app.close();
    current = '127.0.0.2';
    const moved = await registryOn('127.0.0.2', port);
    await moved.app.inject({ method: 'POST', url: '/eureka/apps/BOOKING-SERVICE', payload: instanceBody('BOOKING-SERVICE', 'b1') });
    // The call on a connection to the old address may fail once; the next one resolves the name again.
    const recovered = (await client.refresh()) || (await client.refresh());
    expect(recovered).toBe(true);
    expect(resolved.at(-1)).toBe('127.0.0.2');
    expect(client.instances('BOOKING-SERVICE').map((i) => i.instanceId)).toEqual(['b1']);
    await client.stop();
  });
});
