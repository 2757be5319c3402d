/**
 * A registration the registry could not serve back is refused with a 400 naming the field, in JSON
 * and in XML: Java clients parse the whole registry at once, so one bad port or address stored
 * would break every client's fetch. What real clients send keeps registering.
 */
import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { instanceBody, manualClock } from './eureka-fixtures.js';

let discovery: DiscoveryApp;
const json = { accept: 'application/json' };

beforeEach(async () => {
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, clock: manualClock(), logger: false });
  await discovery.app.ready();
});
afterEach(() => discovery.app.close());

const inject = (options: InjectOptions) => discovery.app.inject(options);
const register = (overrides: Record<string, unknown>) =>
  inject({ method: 'POST', url: '/eureka/apps/FUZZ-APP', payload: instanceBody('FUZZ-APP', 'f1', overrides) });
const registerXml = (inner: string) =>
  inject({
    method: 'POST',
    url: '/eureka/apps/FUZZ-APP',
    headers: { 'content-type': 'application/xml' },
    payload: `<?xml version="1.0" encoding="UTF-8"?><instance><instanceId>x1</instanceId><app>FUZZ-APP</app>
      <dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>${inner}</instance>`,
  });

function expectRefused(res: Awaited<ReturnType<typeof inject>>, field: string) {
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json();
  expect(problem.type).toBe('https://stream-seat.dev/problems/validation');
  expect(problem.detail).toMatch(new RegExp(`^${field.replaceAll('.', '\\.')}: `));
  expect(problem.errors).toEqual([{ field, message: expect.any(String) }]);
}

describe('ports', () => {
  it.each([
    ['port', 'abc'],
    ['port', { $: 'abc', '@enabled': 'true' }],
    ['port', { $: -1, '@enabled': 'true' }],
    ['port', 99999],
    ['port', { $: 0, '@enabled': 'true' }],
    ['port', { $: 8080.5, '@enabled': 'true' }],
    ['port', '0x1F90'],
    ['port', [8080, 8081]],
    ['securePort', { $: 99999, '@enabled': 'false' }],
    ['securePort', { $: -1, '@enabled': 'false' }],
    ['securePort', { $: 0, '@enabled': 'true' }],
  ])('refuses %s %j with 400 naming the field', async (key, value) => {
    expectRefused(await register({ [key]: value }), `instance.${key}`);
    expect(discovery.registry.size()).toBe(0);
  });

  it('keeps the full registry readable in JSON and XML after a bad port was sent', async () => {
    await register({ port: 'abc', instanceId: 'bad' });
    expect((await register({})).statusCode).toBe(204);
    const full = await inject({ method: 'GET', url: '/eureka/apps', headers: json });
    expect(full.body).not.toMatch(/null|NaN/);
    expect(full.json().applications.application[0].instance.map((i: { instanceId: string }) => i.instanceId)).toEqual(['f1']);
    const xml = await inject({ method: 'GET', url: '/eureka/apps' });
    expect(xml.body).not.toContain('NaN');
    expect(xml.body).toContain('<port enabled="true">8080</port>');
  });

  it.each([
    ['a disabled secure port 443, as Spring clients send', { securePort: { $: 443, '@enabled': 'false' } }, 443],
    ['a disabled secure port 0 ("no port")', { securePort: { $: 0, '@enabled': 'false' } }, 0],
    ['an enabled secure port', { securePort: { $: 8443, '@enabled': 'true' } }, 8443],
    ['ports as strings, as XML and older codecs send them', { port: { $: '8080', '@enabled': 'true' }, securePort: { $: '7002', '@enabled': 'false' } }, 7002],
  ])('accepts %s', async (_name, overrides, securePort) => {
    expect((await register(overrides)).statusCode).toBe(204);
    expect(discovery.registry.instance('FUZZ-APP', 'f1')?.securePort).toBe(securePort);
  });

  it('accepts a bare port and eureka-js-client’s boolean @enabled', async () => {
    expect((await register({ port: 3000 })).statusCode).toBe(204);
    expect(discovery.registry.instance('FUZZ-APP', 'f1')).toMatchObject({ port: 3000, portEnabled: true });
    expect((await register({ port: { $: 3001, '@enabled': true } })).statusCode).toBe(204);
    expect(discovery.registry.instance('FUZZ-APP', 'f1')).toMatchObject({ port: 3001, portEnabled: true });
  });
});

describe('address and names', () => {
  // A zone id (`%eth0`) names an interface of the registering host: no client can build a URL from it.
  it.each([['not an ip'], ['999.1.1.1'], ['10.0.1'], ['[::1]'], ['http://10.0.0.1/'], ['fe80::1%eth0'], ['fe80::1%25eth0']])('refuses ipAddr %j', async (ipAddr) => {
    expectRefused(await register({ ipAddr }), 'instance.ipAddr');
  });

  it.each([
    ['IPv4', '10.0.1.7'],
    ['IPv6', 'fd00::17'],
    // The platform client advertises ADVERTISED_HOST here; under Docker Compose that is a service name.
    ['a compose service name', 'booking'],
  ])('accepts an %s ipAddr', async (_kind, ipAddr) => {
    expect((await register({ ipAddr })).statusCode).toBe(204);
    expect(discovery.registry.instance('FUZZ-APP', 'f1')?.ipAddr).toBe(ipAddr);
  });

  it.each([
    ['hostName', ['a', 'b']],
    ['hostName', 42],
    ['instanceId', { id: 'f1' }],
    ['instanceId', ['f1', 'f2']],
    ['app', ['FUZZ-APP']],
    ['ipAddr', ['10.0.0.1', '10.0.0.2']],
  ])('refuses a %s that is not a string (%j)', async (key, value) => {
    expectRefused(await register({ [key]: value }), `instance.${key}`);
    expect(discovery.registry.size()).toBe(0);
  });

  it('refuses a list where one value belongs, rather than storing it joined with commas', async () => {
    expectRefused(await register({ vipAddress: ['a', 'b'] }), 'instance.vipAddress');
    expectRefused(await register({ metadata: { zone: ['a', 'b'] } }), 'instance.metadata.zone');
  });

  it('refuses an id longer than the routes that renew and cancel it take (400), nothing registered', async () => {
    expectRefused(await register({ instanceId: 'i'.repeat(401) }), 'instance.instanceId');
    // Without an instanceId, the host name is the id.
    expectRefused(await register({ instanceId: undefined, hostName: `${'h'.repeat(401)}.example` }), 'instance.hostName');
    expect(discovery.registry.size()).toBe(0);
    // At the bound it registers, and its own renew and cancel reach it.
    const id = 'i'.repeat(400);
    expect((await register({ instanceId: id })).statusCode).toBe(204);
    expect((await inject({ method: 'PUT', url: `/eureka/apps/FUZZ-APP/${id}` })).statusCode).toBe(200);
    expect((await inject({ method: 'DELETE', url: `/eureka/apps/FUZZ-APP/${id}` })).statusCode).toBe(200);
  });

  it('keeps Eureka’s own messages for what Eureka checks', async () => {
    const res = await register({ hostName: undefined });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/bad-request', detail: 'Missing hostname' });
  });
});

describe('numbers Java reads as int or long', () => {
  it.each([
    ['countryId', 1e20],
    ['countryId', -1],
    ['lastDirtyTimestamp', '1e30'],
    ['lastDirtyTimestamp', 'yesterday'],
  ])('refuses %s %j', async (key, value) => {
    expectRefused(await register({ [key]: value }), `instance.${key}`);
  });
});

describe('XML registrations', () => {
  const good = '<hostName>h</hostName><ipAddr>10.0.0.9</ipAddr>';

  it('registers a good one', async () => {
    expect((await registerXml(`${good}<port enabled="true">9090</port><securePort enabled="false">443</securePort>`)).statusCode).toBe(204);
  });

  it.each([
    ['instance.port', `${good}<port enabled="true">abc</port>`],
    ['instance.port', `${good}<port enabled="true">99999</port>`],
    ['instance.securePort', `${good}<securePort enabled="false">-1</securePort>`],
    ['instance.ipAddr', '<hostName>h</hostName><ipAddr>not an ip</ipAddr>'],
    ['instance.hostName', '<hostName>a</hostName><hostName>b</hostName><ipAddr>10.0.0.9</ipAddr>'],
  ])('refuses one with a bad %s', async (field, inner) => {
    expectRefused(await registerXml(inner), field);
    expect(discovery.registry.size()).toBe(0);
  });
});
