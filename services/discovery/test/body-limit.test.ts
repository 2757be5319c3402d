/**
 * A registration is a few KB: a body over 64 KB gets a 413 problem before it is parsed, so a
 * megabyte of XML attributes (seconds of parsing) cannot stall the registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDiscoveryApp, type DiscoveryApp, REGISTRY_BODY_LIMIT_BYTES } from '../src/app.js';
import { instanceBody } from './eureka-fixtures.js';

let discovery: DiscoveryApp;

beforeAll(async () => {
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false });
  await discovery.app.ready();
});
afterAll(() => discovery.app.close());

/** A JSON registration of about `bytes`, padded with metadata. */
function registrationOf(bytes: number): string {
  const base = JSON.stringify(instanceBody('BIG-APP', 'b1')).length;
  return JSON.stringify(instanceBody('BIG-APP', 'b1', { metadata: { zone: 'a', padding: 'x'.repeat(Math.max(0, bytes - base - 20)) } }));
}

describe('request bodies', () => {
  it('a registration within the limit registers', async () => {
    const payload = registrationOf(60 * 1024);
    const res = await discovery.app.inject({ method: 'POST', url: '/eureka/apps/BIG-APP', payload, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(204);
    discovery.registry.cancel('BIG-APP', 'b1');
  });

  it('a JSON registration over the limit gets 413 problem+json, and nothing is registered', async () => {
    const payload = registrationOf(REGISTRY_BODY_LIMIT_BYTES + 1024);
    const res = await discovery.app.inject({ method: 'POST', url: '/eureka/apps/BIG-APP', payload, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 413, title: 'Payload too large' });
    expect(discovery.registry.size()).toBe(0);
  });

  it('a megabyte of XML attributes gets 413 without being parsed', async () => {
    // Just under the platform's default limit of 1 MiB, which it used to be: parsing it took seconds.
    let attributes = '';
    for (let i = 0; attributes.length < 1000 * 1024; i++) attributes += ` a${i}="x"`;
    const payload = `<instance${attributes}><hostName>h</hostName></instance>`;
    const res = await discovery.app.inject({ method: 'POST', url: '/eureka/apps/BIG-APP', payload, headers: { 'content-type': 'application/xml' } });
    // A parsed body would have been a 400 (no instanceId, no ipAddr ...).
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ status: 413, title: 'Payload too large' });
    // Named by its status (it had been `…/problems/ctp-body-too-large`, the framework's error code).
    expect(res.json().type).toMatch(/\/problems\/payload-too-large$/);
  });

  it('an XML registration under 64 KB but with more tags than any registration has gets 400 without being parsed', async () => {
    // Parsed, it would register: every field is right, the metadata is merely long.
    const entries = (n: number) => Array.from({ length: n }, (_, i) => `<k${i}>v</k${i}>`).join('');
    const xml = (n: number, id: string) =>
      `<instance><instanceId>${id}</instanceId><hostName>h</hostName><app>BIG-APP</app><ipAddr>10.0.0.1</ipAddr><status>UP</status>` +
      `<port enabled="true">8080</port><dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>` +
      `<metadata>${entries(n)}</metadata></instance>`;
    const post = (payload: string) => discovery.app.inject({ method: 'POST', url: '/eureka/apps/BIG-APP', payload, headers: { 'content-type': 'application/xml' } });

    expect((await post(xml(150, 'fits'))).statusCode).toBe(204);
    const res = await post(xml(2_000, 'crowded'));
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/^body: more than 400 XML tags and attributes/);
    // Attributes count however they are spaced: `a= ""` is one to the parser too.
    const spaced = `<instance><metadata ${Array.from({ length: 2_000 }, (_, i) => `a${i}= ""`).join(' ')}/></instance>`;
    const attributes = await post(spaced);
    expect(attributes.statusCode).toBe(400);
    expect(attributes.json().detail).toMatch(/^body: more than 400 XML tags and attributes/);
    expect(discovery.registry.size()).toBe(1);
    discovery.registry.cancel('BIG-APP', 'fits');
  });

  it('a renewal over the limit gets 413 too', async () => {
    const res = await discovery.app.inject({
      method: 'PUT',
      url: '/eureka/apps/BIG-APP/b1',
      payload: 'x'.repeat(REGISTRY_BODY_LIMIT_BYTES + 1),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
  });
});
