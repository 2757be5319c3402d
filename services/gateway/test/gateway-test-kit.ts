/**
 * What the gateway's in-process tests share: a real registry on loopback, instances registered in
 * it by hand, and gateways (each with its own registry client) built against it and closed together.
 */
import { type App, createTokenVerifier, type RegistryClient } from '@stream-seat/platform';
import { expect } from 'vitest';
import { eurekaInstance } from '../../../tests/support/eureka-instance.js';
import { listenOnLoopback } from '../../../tests/support/free-port.js';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { buildDiscoveryApp } from '../../discovery/src/app.js';
import { buildGatewayApp, type GatewayAppDeps } from '../src/app.js';

export interface GatewayTestKit {
  /** The registry's Eureka base URL. */
  registryUrl: string;
  /** Registers an instance the way a service does, without a client keeping its lease. */
  registerInstance(app: string, instanceId: string, port: number): Promise<void>;
  /** A gateway whose registry view is fetched now, verifying dev tokens signed with the kit's secret. */
  gatewayWith(options?: Partial<GatewayAppDeps>): Promise<{ gateway: App; registry: RegistryClient }>;
  /** Closes the gateways, their registry clients and the registry. */
  close(): Promise<void>;
}

/** `jwtSecret`: the services' test secret, so that one token passes the gateway and the service behind it. */
export async function startGatewayTestKit(jwtSecret: string): Promise<GatewayTestKit> {
  const discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, responseCacheMs: 0 }).app;
  const registryUrl = `http://127.0.0.1:${await listenOnLoopback(discovery)}/eureka`;
  const gateways: App[] = [];
  const clients: RegistryClient[] = [];
  return {
    registryUrl,
    async registerInstance(app, instanceId, port) {
      const res = await fetch(`${registryUrl}/apps/${app}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(eurekaInstance(app, instanceId, port)),
      });
      expect(res.status).toBe(204);
    },
    async gatewayWith(options = {}) {
      const registry = testRegistryClient({ registryUrls: [registryUrl], app: 'API-GATEWAY', instanceId: `gw-${gateways.length}`, port: 1 });
      await registry.start();
      clients.push(registry);
      const gateway = await buildGatewayApp({
        registry,
        verifier: createTokenVerifier({ AUTH_MODE: 'dev', JWT_SECRET: jwtSecret }),
        logger: false,
        logLevel: 'error',
        ...options,
      });
      await gateway.ready();
      gateways.push(gateway);
      return { gateway, registry };
    },
    async close() {
      for (const gateway of gateways) await gateway.close();
      for (const client of clients) await client.stop();
      await discovery.close();
    },
  };
}
