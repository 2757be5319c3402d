/**
 * Behind a load balancer (TRUST_PROXY naming its network), the gateway's operations endpoints
 * answer the operator's network only: an internet caller gets a 404 however it spells the path,
 * while the load balancer's own health check and callers inside still get their answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from '../../event/test/event-test-app.js';
import { loadConfig } from '@stream-seat/platform';
import { gatewayConfigSchema } from '../src/config.js';
import { operatorNetwork } from '../src/edge/operator-network.js';
import { type GatewayTestKit, startGatewayTestKit } from './gateway-test-kit.js';

let kit: GatewayTestKit;
beforeAll(async () => {
  kit = await startGatewayTestKit(TEST_JWT_SECRET);
});
afterAll(() => kit?.close());

describe('operations endpoints behind a load balancer', () => {
  // The test's requests come from 127.0.0.1: the load balancer. 10.0.0.0/8 is the VPC behind it.
  const trustProxy = '127.0.0.1,10.0.0.0/8';
  const spellings = ['/metrics', '/metrics/', '/%6detrics', '/health', '/started', '/ready', '/ready/', '/gateway/routes', '/gateway/routes/', '/gatew%61y/routes'];

  it('answers an internet caller 404, however the path is spelled', async () => {
    const { gateway } = await kit.gatewayWith({ trustProxy });
    for (const url of spellings) {
      const res = await gateway.inject({ method: 'GET', url, headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toMatch(/nodejs_version_info|circuits|"status":"UP"/);
    }
    // Another method gets the same 404, not a 405 whose Allow would say the endpoint exists.
    for (const url of spellings) {
      for (const method of ['PUT', 'OPTIONS'] as const) {
        const res = await gateway.inject({ method, url, headers: { 'x-forwarded-for': '203.0.113.9' } });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.headers['allow'], `${method} ${url}`).toBeUndefined();
      }
    }
    // Inside, the wrong method is a 405 as anywhere else.
    expect((await gateway.inject({ method: 'PUT', url: '/metrics', headers: { 'x-forwarded-for': '10.1.2.3' } })).statusCode).toBe(405);
    // Naming an inside address first does not help: the load balancer appends the real one.
    const spoofed = await gateway.inject({ method: 'GET', url: '/gateway/routes', headers: { 'x-forwarded-for': '10.0.0.5, 203.0.113.9' } });
    expect(spoofed.statusCode).toBe(404);
    // The public API is not affected.
    expect((await gateway.inject({ method: 'GET', url: '/docs/json', headers: { 'x-forwarded-for': '203.0.113.9' } })).statusCode).toBe(200);
  });

  it('answers the load balancer’s health check and callers inside the network', async () => {
    const { gateway } = await kit.gatewayWith({ trustProxy });
    for (const url of spellings) {
      // The health check: no forwarded address, from the load balancer itself.
      expect((await gateway.inject({ method: 'GET', url })).statusCode, url).toBe(200);
      // A scraper inside the VPC, through the load balancer.
      expect((await gateway.inject({ method: 'GET', url, headers: { 'x-forwarded-for': '10.1.2.3' } })).statusCode, url).toBe(200);
    }
  });

  it('answers the container’s own health check on 127.0.0.1 with the VPC alone named, as deployed', async () => {
    const { gateway } = await kit.gatewayWith({ trustProxy: '10.0.0.0/16' });
    // The container's health check: a fetch of 127.0.0.1 inside the task.
    expect((await gateway.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    // The load balancer (10.0.x) relaying an internet caller, and itself checking health.
    const relayed = { remoteAddress: '10.0.3.7', headers: { 'x-forwarded-for': '203.0.113.9' } };
    expect((await gateway.inject({ method: 'GET', url: '/health', ...relayed })).statusCode).toBe(404);
    expect((await gateway.inject({ method: 'GET', url: '/ready', remoteAddress: '10.0.3.7' })).statusCode).toBe(200);
    // Naming loopback in X-Forwarded-For does not make an outside caller this host.
    const spoofed = { remoteAddress: '10.0.3.7', headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' } };
    expect((await gateway.inject({ method: 'GET', url: '/metrics', ...spoofed })).statusCode).toBe(404);
  });

  it('stays open without a network named: in local use, nothing is in front', async () => {
    for (const setting of [false, true]) {
      const { gateway } = await kit.gatewayWith({ trustProxy: setting });
      const res = await gateway.inject({ method: 'GET', url: '/gateway/routes', headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(res.statusCode, String(setting)).toBe(200);
    }
  });
});

describe('operatorNetwork', () => {
  it('reads addresses, CIDRs and proxy-addr’s named ranges, IPv4 and IPv6', () => {
    const inside = operatorNetwork('loopback, 10.0.0.0/16, 2001:db8::/32, 192.0.2.7') as (ip: string) => boolean;
    expect(['127.0.0.1', '::1', '10.0.255.1', '::ffff:10.0.0.1', '2001:db8::5', '192.0.2.7'].map(inside)).toEqual([true, true, true, true, true, true]);
    expect(['10.1.0.1', '192.0.2.8', '2001:db9::1', '203.0.113.9'].map(inside)).toEqual([false, false, false, false]);
    expect(operatorNetwork(false)).toBeUndefined();
    expect(operatorNetwork(true)).toBeUndefined();
    // This host is always inside.
    expect((operatorNetwork('10.0.0.0/16') as (ip: string) => boolean)('127.0.0.1')).toBe(true);
  });

  it('refuses an entry it cannot read, and the gateway’s configuration names TRUST_PROXY', () => {
    // Refused with a message naming TRUST_PROXY: fastify would have crashed on some, and read others another way.
    for (const entry of ['10.0.0.0/255.255.0.0', '10.1', '1', 'TRUE', '10.0.0.0/33', '::/129', '0.0.0.0/0', '::/0', '10.0.0.0/8/1', 'vpc', '10.0.0.0/16,', ' , ']) {
      expect(() => operatorNetwork(entry), entry).toThrow(/is not an IP address, a CIDR/);
      expect(() => loadConfig(gatewayConfigSchema, { JWT_SECRET: 'x'.repeat(32), TRUST_PROXY: entry }), entry).toThrow(/TRUST_PROXY: ".*" is not an IP address/);
    }
    expect(loadConfig(gatewayConfigSchema, { JWT_SECRET: 'x'.repeat(32), TRUST_PROXY: '10.0.0.0/16, loopback' }).TRUST_PROXY).toBe('10.0.0.0/16, loopback');
    // Empty is unset: nothing in front.
    expect(loadConfig(gatewayConfigSchema, { JWT_SECRET: 'x'.repeat(32), TRUST_PROXY: ' ' }).TRUST_PROXY).toBe(false);
  });
});
