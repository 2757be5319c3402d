/** Payloads field by field against the shapes Eureka's codecs write, in JSON and in XML. */
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { instanceBody, manualClock } from './eureka-fixtures.js';

let discovery: DiscoveryApp;
const clock = manualClock(1_800_000_000_000);
const T = String(1_800_000_000_000);

beforeAll(async () => {
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, clock, logger: false });
  await discovery.app.ready();
  await discovery.app.inject({ method: 'POST', url: '/eureka/apps/EVENT-SERVICE', payload: instanceBody('EVENT-SERVICE', 'e1') });
  await discovery.app.inject({
    method: 'POST',
    url: '/eureka/apps/BOOKING-SERVICE',
    payload: instanceBody('BOOKING-SERVICE', 'b1', { metadata: undefined, healthCheckUrl: undefined }),
  });
});
afterAll(() => discovery.app.close());

const expectedEvent = {
  instanceId: 'e1',
  hostName: 'e1.example.internal',
  app: 'EVENT-SERVICE',
  ipAddr: '10.0.1.7',
  status: 'UP',
  overriddenStatus: 'UNKNOWN',
  port: { $: 8080, '@enabled': 'true' },
  securePort: { $: 443, '@enabled': 'false' },
  countryId: 1,
  dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
  leaseInfo: {
    renewalIntervalInSecs: 30,
    durationInSecs: 90,
    registrationTimestamp: Number(T),
    lastRenewalTimestamp: Number(T),
    evictionTimestamp: 0,
    serviceUpTimestamp: Number(T),
  },
  metadata: { zone: 'a' },
  homePageUrl: 'http://10.0.1.7:8080/',
  statusPageUrl: 'http://10.0.1.7:8080/info',
  healthCheckUrl: 'http://10.0.1.7:8080/health',
  vipAddress: 'event-service',
  secureVipAddress: 'event-service-secure',
  isCoordinatingDiscoveryServer: 'false',
  lastUpdatedTimestamp: T,
  lastDirtyTimestamp: '1700000000000',
  actionType: 'ADDED',
};

describe('JSON', () => {
  it('writes the applications document with its wrapper, string versions and arrays always', async () => {
    const res = await discovery.app.inject({ method: 'GET', url: '/eureka/apps', headers: { accept: 'application/json' } });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const { applications } = res.json();
    expect(Object.keys(applications)).toEqual(['versions__delta', 'apps__hashcode', 'application']);
    expect(applications.versions__delta).toMatch(/^\d+$/);
    expect(applications.apps__hashcode).toBe('UP_2_');
    expect(applications.application.map((a: { name: string }) => a.name)).toEqual(['BOOKING-SERVICE', 'EVENT-SERVICE']);
    const event = applications.application[1];
    expect(Object.keys(event)).toEqual(['name', 'instance']);
    expect(Array.isArray(event.instance)).toBe(true);
    // Field order as Eureka's serializer writes it, then every value.
    expect(Object.keys(event.instance[0])).toEqual(Object.keys(expectedEvent));
    expect(event.instance[0]).toEqual(expectedEvent);
  });

  it('writes empty metadata as Java’s EmptyMap and leaves absent URLs out', async () => {
    const res = await discovery.app.inject({ method: 'GET', url: '/eureka/apps/BOOKING-SERVICE/b1', headers: { accept: 'application/json' } });
    const { instance } = res.json();
    expect(instance.metadata).toEqual({ '@class': 'java.util.Collections$EmptyMap' });
    expect(instance).not.toHaveProperty('healthCheckUrl');
  });
});

describe('XML', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['application', 'instance'].includes(name) });

  it('answers XML when Accept does not ask for JSON, with Eureka’s elements and attributes', async () => {
    const res = await discovery.app.inject({ method: 'GET', url: '/eureka/apps', headers: { accept: '*/*' } });
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?><applications><versions__delta>\d+<\/versions__delta><apps__hashcode>UP_2_<\/apps__hashcode><application><name>BOOKING-SERVICE<\/name>/);
    expect(res.body).toContain('<port enabled="true">8080</port>');
    expect(res.body).toContain('<securePort enabled="false">443</securePort>');
    expect(res.body).toContain('<overriddenstatus>UNKNOWN</overriddenstatus>');
    expect(res.body).toContain('<dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>');
    expect(res.body).toContain('<metadata class="java.util.Collections$EmptyMap"/>');
    const event = parser.parse(res.body).applications.application[1].instance[0];
    expect(event).toEqual({
      ...expectedEvent,
      overriddenStatus: undefined,
      overriddenstatus: 'UNKNOWN',
      port: { '#text': '8080', '@enabled': 'true' },
      securePort: { '#text': '443', '@enabled': 'false' },
      countryId: '1',
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: Object.fromEntries(Object.entries(expectedEvent.leaseInfo).map(([k, v]) => [k, String(v)])),
    });
  });

  it('writes one instance as <instance>', async () => {
    const res = await discovery.app.inject({ method: 'GET', url: '/eureka/apps/EVENT-SERVICE/e1' });
    expect(res.body).toMatch(/<instance><instanceId>e1<\/instanceId><hostName>e1.example.internal<\/hostName><app>EVENT-SERVICE<\/app>/);
  });
});
