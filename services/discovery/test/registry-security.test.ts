/**
 * REGISTRY_TOKEN: writes need it, as Spring's basic credentials or a bearer token; a rogue
 * registration is refused. An app's own token writes that app's instances only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseConfigSchema, createServiceRegistryClient, loadConfig } from '@stream-seat/platform';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRegistryClient } from '../../../tests/support/registry-client.js';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { appRegistryTokens } from '../src/config.js';
import { instanceBody } from './eureka-fixtures.js';

const TOKEN = 's3cret-registry-token';
let discovery: DiscoveryApp;
let guarded: DiscoveryApp;
let port: number;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(async () => {
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, token: TOKEN });
  await discovery.app.listen({ port: 0, host: '127.0.0.1' });
  port = (discovery.app.server.address() as { port: number }).port;
  guarded = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, token: TOKEN, protectReads: true });
  await guarded.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await discovery.app.close();
  await guarded.app.close();
});

const registerWith = (authorization?: string) =>
  discovery.app.inject({
    method: 'POST',
    url: '/eureka/v2/apps/ROGUE',
    payload: instanceBody('ROGUE', 'r1'),
    headers: authorization ? { authorization } : {},
  });

describe('with REGISTRY_TOKEN set', () => {
  it('refuses a registration without the token, or with a wrong one, with 401', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', basic('user', 'wrong'), basic(TOKEN, '')]) {
      const res = await registerWith(authorization);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/Basic/);
    }
    expect(discovery.registry.size()).toBe(0);
  });

  it('refuses renewals, cancels and status changes without the token', async () => {
    await registerWith(`Bearer ${TOKEN}`);
    for (const [method, url] of [['PUT', '/eureka/apps/ROGUE/r1'], ['DELETE', '/eureka/apps/ROGUE/r1'], ['PUT', '/eureka/apps/ROGUE/r1/status?value=DOWN']] as const) {
      expect((await discovery.app.inject({ method, url })).statusCode).toBe(401);
    }
    expect(discovery.registry.instance('ROGUE', 'r1')?.status).toBe('UP');
    discovery.registry.cancel('ROGUE', 'r1');
  });

  it('accepts a bearer token and basic credentials whose password is the token', async () => {
    expect((await registerWith(`Bearer ${TOKEN}`)).statusCode).toBe(204);
    expect((await registerWith(basic('eureka', TOKEN))).statusCode).toBe(204);
    discovery.registry.cancel('ROGUE', 'r1');
  });

  it('guards every write and protected read whatever the spelling of the path', async () => {
    // The router decodes %65 to `e`: these reach the Eureka routes, and need the token too.
    const rogue = { instance: { instanceId: 'r2', app: 'ROGUE', hostName: 'evil', ipAddr: '203.0.113.9', status: 'UP', port: { $: 1 }, dataCenterInfo: { name: 'MyOwn' } } };
    for (const url of ['/%65ureka/apps/ROGUE', '/eureka/%61pps/ROGUE', '//eureka/apps/ROGUE']) {
      const res = await discovery.app.inject({ method: 'POST', url, payload: rogue });
      expect(res.statusCode, url).not.toBeLessThan(400);
      expect(res.statusCode, url).not.toBe(500);
    }
    expect(discovery.registry.applications().some((a) => a.name === 'ROGUE')).toBe(false);
    for (const url of ['/%65ureka/apps', '/?x', '/eureka/apps/']) {
      expect((await guarded.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
    expect((await guarded.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });

  it('keeps reads open by default', async () => {
    expect((await discovery.app.inject({ method: 'GET', url: '/eureka/apps' })).statusCode).toBe(200);
    expect((await discovery.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
  });

  it('guards reads and the dashboard too with REGISTRY_PROTECT_READS', async () => {
    expect((await guarded.app.inject({ method: 'GET', url: '/eureka/apps' })).statusCode).toBe(401);
    expect((await guarded.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(401);
    expect((await guarded.app.inject({ method: 'GET', url: '/eureka/apps', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect((await guarded.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('the platform client sends the credentials of its EUREKA_URL, as Spring clients do', async () => {
    const client = (registryUrl: string) =>
      testRegistryClient({
        registryUrls: [registryUrl],
        app: 'EVENT-SERVICE',
        instanceId: 'e1',
        port: 8081,
      });
    const withToken = client(`http://eureka:${encodeURIComponent(TOKEN)}@127.0.0.1:${port}/eureka/`);
    await withToken.start();
    expect(withToken.isHealthy()).toBe(true);
    expect(discovery.registry.instance('EVENT-SERVICE', 'e1')).toBeDefined();
    await withToken.stop();
    expect(discovery.registry.instance('EVENT-SERVICE', 'e1')).toBeUndefined();

    const without = client(`http://127.0.0.1:${port}/eureka`);
    const started = without.start();
    await without.stop();
    await started;
    expect(without.isHealthy()).toBe(false);
    expect(discovery.registry.size()).toBe(0);
  });

  it('a service whose environment holds REGISTRY_TOKEN presents it as a bearer token, on writes and on guarded reads', async () => {
    const guardedPort = (guarded.app.server.address() as { port: number }).port;
    // As ECS injects it: the token in its own variable, EUREKA_URL plain configuration without credentials.
    const config = loadConfig(baseConfigSchema, {
      EUREKA_URL: `http://127.0.0.1:${guardedPort}/eureka`,
      REGISTRY_TOKEN: TOKEN,
      ADVERTISED_HOST: '127.0.0.1',
    });
    const service = await createServiceRegistryClient(config, 'BOOKING-SERVICE', 8080, pino({ level: 'silent' }));
    await service.start();
    expect(service.isHealthy()).toBe(true);
    expect(guarded.registry.applications().map((a) => a.name)).toEqual(['BOOKING-SERVICE']);
    // The fetch needs the token too (REGISTRY_PROTECT_READS): the client sees its own registration.
    expect(service.instances('BOOKING-SERVICE')).toHaveLength(1);
    await service.stop();
    expect(guarded.registry.size()).toBe(0);
  });
});

describe('with an app’s own token (<APP>_REGISTRY_TOKEN)', () => {
  const BOOKING_TOKEN = 'booking-only-registry-token';
  const GATEWAY_TOKEN = 'gateway-only-registry-token';
  let scoped: DiscoveryApp;
  beforeAll(() => {
    scoped = buildDiscoveryApp({
      evictionIntervalMs: 60_000,
      logger: false,
      token: TOKEN,
      appTokens: appRegistryTokens({ BOOKING_SERVICE_REGISTRY_TOKEN: BOOKING_TOKEN, API_GATEWAY_REGISTRY_TOKEN: GATEWAY_TOKEN }),
      protectReads: true,
    });
  });
  afterAll(() => scoped.app.close());
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const register = (app: string, id: string, token: string) =>
    scoped.app.inject({ method: 'POST', url: `/eureka/apps/${app}`, payload: instanceBody(app.toUpperCase(), id), headers: as(token) });

  it('writes the instances of its own app, however the app is spelt, and reads the registry', async () => {
    expect((await register('BOOKING-SERVICE', 'b1', BOOKING_TOKEN)).statusCode).toBe(204);
    expect((await register('booking-service', 'b2', BOOKING_TOKEN)).statusCode).toBe(204);
    expect((await scoped.app.inject({ method: 'PUT', url: '/eureka/apps/BOOKING-SERVICE/b1', headers: as(BOOKING_TOKEN) })).statusCode).toBe(200);
    expect((await scoped.app.inject({ method: 'GET', url: '/eureka/apps', headers: as(BOOKING_TOKEN) })).statusCode).toBe(200);
    expect((await scoped.app.inject({ method: 'DELETE', url: '/eureka/apps/BOOKING-SERVICE/b2', headers: as(BOOKING_TOKEN) })).statusCode).toBe(200);
  });

  it('refuses, 403, the gateway’s token a registration, renewal, status change or cancel of another app: no rogue BOOKING-SERVICE', async () => {
    const refused = await register('BOOKING-SERVICE', 'rogue', GATEWAY_TOKEN);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain('API_GATEWAY');
    for (const [method, url] of [
      ['PUT', '/eureka/apps/BOOKING-SERVICE/b1'],
      ['PUT', '/eureka/apps/BOOKING-SERVICE/b1/status?value=OUT_OF_SERVICE'],
      ['PUT', '/eureka/apps/BOOKING-SERVICE/b1/metadata?weight=9'],
      ['DELETE', '/eureka/apps/BOOKING-SERVICE/b1'],
    ] as const) {
      expect((await scoped.app.inject({ method, url, headers: as(GATEWAY_TOKEN) })).statusCode, `${method} ${url}`).toBe(403);
    }
    expect(scoped.registry.instance('BOOKING-SERVICE', 'rogue')).toBeUndefined();
    expect(scoped.registry.instance('BOOKING-SERVICE', 'b1')?.status).toBe('UP');
    // Its own app it writes; REGISTRY_TOKEN writes any.
    expect((await register('API-GATEWAY', 'g1', GATEWAY_TOKEN)).statusCode).toBe(204);
    expect((await register('EVENT-SERVICE', 'e1', TOKEN)).statusCode).toBe(204);
    expect((await register('EVENT-SERVICE', 'e2', 'not-a-token-of-anyone')).statusCode).toBe(401);
  });

  it('refuses, 403, an app’s token an instance of its own app that claims a VIP address not its app’s', async () => {
    const vipsOf = async (vip: string) => {
      const res = await scoped.app.inject({ method: 'GET', url: `/eureka/vips/${vip}`, headers: { ...as(TOKEN), accept: 'application/json' } });
      return JSON.stringify(res.json());
    };
    const registerGateway = (id: string, claim: Record<string, string>, token = GATEWAY_TOKEN) =>
      scoped.app.inject({ method: 'POST', url: '/eureka/apps/API-GATEWAY', payload: instanceBody('API-GATEWAY', id, claim), headers: as(token) });
    expect((await register('BOOKING-SERVICE', 'vb1', BOOKING_TOKEN)).statusCode).toBe(204);
    // The gateway's token, its own app in the path, another's VIP in the body: VIP routing would send that app's traffic to it.
    const claims: Record<string, string>[] = [
      { vipAddress: 'booking-service' },
      { vipAddress: 'api-gateway,BOOKING-SERVICE' },
      { secureVipAddress: 'booking-service' },
      // Not registered yet, or never: first come is not first served.
      { vipAddress: 'event-service' },
      { vipAddress: 'payment-service' },
      { vipAddress: 'tickets' },
      // A Kelvin sign lower-cases to k, as the VIP lookup compares: booking-service again.
      { vipAddress: 'BOO\u212AING-SERVICE' },
    ];
    for (const claim of claims) {
      const refused = await registerGateway('gv1', claim);
      expect(refused.statusCode, JSON.stringify(claim)).toBe(403);
      expect(refused.json().detail).toMatch(/^This token registers its own app \(API_GATEWAY\) only: instance\.(secureV|v)ipAddress claims .+, which is not that app's$/);
    }
    expect(scoped.registry.instance('API-GATEWAY', 'gv1')).toBeUndefined();
    expect(await vipsOf('booking-service')).not.toContain('gv1');
    // Its own name, and names below it, pass; not below it once another app has that name.
    expect((await registerGateway('gv3', { vipAddress: 'api-gateway', secureVipAddress: 'api-gateway-secure' })).statusCode).toBe(204);
    expect((await register('API-GATEWAY-ADMIN', 'ga1', TOKEN)).statusCode).toBe(204);
    expect((await registerGateway('gv5', { vipAddress: 'api-gateway-admin' })).statusCode).toBe(403);
    // REGISTRY_TOKEN (an operator, a peer replicating) may claim any.
    expect((await registerGateway('gv4', { vipAddress: 'booking-service' }, TOKEN)).statusCode).toBe(204);
  });

  it('reads the tokens from <APP>_REGISTRY_TOKEN or its _FILE, and refuses one shorter than 8 characters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-tokens-'));
    const file = join(dir, 'event-token');
    writeFileSync(file, 'event-app-registry-token\n');
    expect(appRegistryTokens({ BOOKING_SERVICE_REGISTRY_TOKEN: BOOKING_TOKEN, EVENT_SERVICE_REGISTRY_TOKEN_FILE: file, REGISTRY_TOKEN: TOKEN, REGISTRY_TOKEN_FILE: '/nowhere' })).toEqual(
      new Map([
        ['BOOKING_SERVICE', BOOKING_TOKEN],
        ['EVENT_SERVICE', 'event-app-registry-token'],
      ]),
    );
    expect(() => appRegistryTokens({ API_GATEWAY_REGISTRY_TOKEN: 'short' })).toThrow(/API_GATEWAY_REGISTRY_TOKEN: must be at least 8 characters/);
    rmSync(dir, { recursive: true, force: true });
  });
});
