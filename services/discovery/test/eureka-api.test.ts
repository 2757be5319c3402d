/** The Eureka REST API in process: every route, both prefixes, Eureka's messages and status codes. */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { instanceBody, manualClock } from './eureka-fixtures.js';

let discovery: DiscoveryApp;
let clock: ReturnType<typeof manualClock>;
const json = { accept: 'application/json' };

beforeEach(async () => {
  clock = manualClock();
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, clock, logger: false });
  await discovery.app.ready();
});
afterEach(() => discovery.app.close());

const inject = (options: InjectOptions) => discovery.app.inject(options);
const register = (app: string, id: string, overrides: Record<string, unknown> = {}, prefix = '/eureka') =>
  inject({ method: 'POST', url: `${prefix}/apps/${app}`, payload: instanceBody(app, id, overrides) });

describe('register', () => {
  it('answers 204 under /eureka and /eureka/v2, and the instance is fetchable under both', async () => {
    expect((await register('EVENT-SERVICE', 'e1')).statusCode).toBe(204);
    expect((await register('EVENT-SERVICE', 'e2', {}, '/eureka/v2')).statusCode).toBe(204);
    for (const prefix of ['/eureka', '/eureka/v2']) {
      const res = await inject({ method: 'GET', url: `${prefix}/apps/event-service`, headers: json });
      expect(res.statusCode).toBe(200);
      expect(res.json().application.instance.map((i: { instanceId: string }) => i.instanceId).sort()).toEqual(['e1', 'e2']);
    }
  });

  it.each([
    [{ instanceId: undefined, hostName: undefined }, 'Missing instanceId'],
    [{ hostName: undefined }, 'Missing hostname'],
    [{ ipAddr: undefined }, 'Missing ip address'],
    [{ app: undefined }, 'Missing appName'],
    [{ app: 'OTHER' }, 'Mismatched appName, expecting EVENT-SERVICE but was OTHER'],
    [{ dataCenterInfo: undefined }, 'Missing dataCenterInfo'],
    [{ dataCenterInfo: { '@class': 'x' } }, 'Missing dataCenterInfo Name'],
  ])('refuses %j with 400 "%s"', async (overrides, message) => {
    const res = await register('EVENT-SERVICE', 'e1', overrides);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toBe(message);
  });

  it('takes the host name as the id when instanceId is missing, as InstanceInfo.getId() does', async () => {
    await register('EVENT-SERVICE', 'e1', { instanceId: undefined });
    expect((await inject({ method: 'GET', url: '/eureka/instances/e1.example.internal', headers: json })).statusCode).toBe(200);
  });

  it('reads an XML register body', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><instance><instanceId>x1</instanceId><hostName>h</hostName><app>XML-APP</app>
      <ipAddr>10.0.0.9</ipAddr><status>STARTING</status><port enabled="true">9090</port><securePort enabled="false">443</securePort>
      <dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>
      <leaseInfo><renewalIntervalInSecs>10</renewalIntervalInSecs><durationInSecs>20</durationInSecs></leaseInfo>
      <metadata><region>eu &amp; us</region></metadata><vipAddress>xml-app</vipAddress></instance>`;
    const res = await inject({ method: 'POST', url: '/eureka/apps/XML-APP', payload: xml, headers: { 'content-type': 'application/xml' } });
    expect(res.statusCode).toBe(204);
    const instance = (await inject({ method: 'GET', url: '/eureka/apps/XML-APP/x1', headers: json })).json().instance;
    expect(instance).toMatchObject({
      status: 'STARTING',
      port: { $: 9090, '@enabled': 'true' },
      leaseInfo: { renewalIntervalInSecs: 10, durationInSecs: 20 },
      metadata: { region: 'eu & us' },
    });
  });

  it('answers 400 naming body to XML whose bytes are not UTF-8, registering nothing', async () => {
    const xml = Buffer.from('<instance><instanceId>l1</instanceId><hostName>h</hostName><app>LATIN-APP</app><ipAddr>10.0.0.9</ipAddr><metadata><city>Orl\xe9ans</city></metadata></instance>', 'latin1');
    const res = await inject({ method: 'POST', url: '/eureka/apps/LATIN-APP', payload: xml, headers: { 'content-type': 'application/xml' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'body', message: 'is not valid UTF-8' }]);
    expect((await inject({ method: 'GET', url: '/eureka/apps/LATIN-APP', headers: json })).statusCode).toBe(404);
  });

  it('answers 400 to a body that is not XML', async () => {
    const res = await inject({ method: 'POST', url: '/eureka/apps/A', payload: '<instance><', headers: { 'content-type': 'text/xml' } });
    expect(res.statusCode).toBe(400);
  });

  it('answers 400 to JSON that is malformed or carries a __proto__ key, registering nothing', async () => {
    const malformed = await inject({ method: 'POST', url: '/eureka/apps/POISON', payload: '{"instance":', headers: { 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(400);
    const poisoned = await inject({
      method: 'POST',
      url: '/eureka/apps/POISON',
      payload: '{"instance":{"hostName":"h","app":"POISON","ipAddr":"10.0.0.9","status":"UP","port":{"$":80},"dataCenterInfo":{"name":"MyOwn"},"__proto__":{"polluted":true}}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json().detail).toMatch(/^body: /);
    expect((await inject({ method: 'GET', url: '/eureka/apps/POISON', headers: { accept: 'application/json' } })).statusCode).toBe(404);
  });
});

describe('renew and cancel', () => {
  it('renews with 200, also with an empty JSON body, and answers 404 for an unknown instance', async () => {
    await register('EVENT-SERVICE', 'e1');
    clock.advance(5_000);
    const res = await inject({ method: 'PUT', url: '/eureka/apps/event-service/e1', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(200);
    const instance = (await inject({ method: 'GET', url: '/eureka/apps/EVENT-SERVICE/e1', headers: json })).json().instance;
    expect(instance.leaseInfo.lastRenewalTimestamp).toBe(clock());
    expect((await inject({ method: 'PUT', url: '/eureka/apps/EVENT-SERVICE/nope' })).statusCode).toBe(404);
  });

  it('answers 404 to a client with a newer lastDirtyTimestamp, so it registers again', async () => {
    await register('EVENT-SERVICE', 'e1');
    expect((await inject({ method: 'PUT', url: '/eureka/apps/EVENT-SERVICE/e1?lastDirtyTimestamp=1700000000000' })).statusCode).toBe(200);
    expect((await inject({ method: 'PUT', url: '/eureka/apps/EVENT-SERVICE/e1?lastDirtyTimestamp=1700000009999' })).statusCode).toBe(404);
  });

  it('refuses a lastDirtyTimestamp that is not decimal digits, instead of reading it as another number', async () => {
    await register('EVENT-SERVICE', 'e1');
    // Number() reads '' as 0 and '0x10' as 16.
    for (const stamp of ['', '0x10', '1e3']) {
      const res = await inject({ method: 'PUT', url: `/eureka/apps/EVENT-SERVICE/e1?lastDirtyTimestamp=${stamp}` });
      expect(res.statusCode, stamp).toBe(400);
      expect(res.body).toMatch(/lastDirtyTimestamp/);
    }
  });

  it('answers a replicating peer with an older copy 409 and the newer instance', async () => {
    await register('EVENT-SERVICE', 'e1');
    const res = await inject({
      method: 'PUT',
      url: '/eureka/apps/EVENT-SERVICE/e1?lastDirtyTimestamp=1600000000000',
      headers: { ...json, 'x-netflix-discovery-replication': 'true' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().instance.lastDirtyTimestamp).toBe('1700000000000');
  });

  it('cancels with 200, then 404', async () => {
    await register('EVENT-SERVICE', 'e1');
    expect((await inject({ method: 'DELETE', url: '/eureka/apps/EVENT-SERVICE/e1' })).statusCode).toBe(200);
    expect((await inject({ method: 'DELETE', url: '/eureka/apps/EVENT-SERVICE/e1' })).statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: '/eureka/apps/EVENT-SERVICE', headers: json })).statusCode).toBe(404);
  });
});

describe('fetch', () => {
  it('serves the full registry under /apps and /apps/, leaving out emptied applications', async () => {
    await register('B-APP', 'b1');
    await register('A-APP', 'a1');
    await register('GONE', 'g1');
    await inject({ method: 'DELETE', url: '/eureka/apps/GONE/g1' });
    for (const url of ['/eureka/apps', '/eureka/apps/', '/eureka/v2/apps/']) {
      const body = (await inject({ method: 'GET', url, headers: json })).json();
      expect(body.applications.application.map((a: { name: string }) => a.name)).toEqual(['A-APP', 'B-APP']);
      expect(body.applications.apps__hashcode).toBe('UP_2_');
    }
  });

  it('serves the delta: recent changes with their action, and the hashcode of the full registry', async () => {
    await register('A-APP', 'a1');
    await register('A-APP', 'a2');
    await inject({ method: 'DELETE', url: '/eureka/apps/A-APP/a2' });
    clock.advance(200_000);
    await register('B-APP', 'b1');
    await inject({ method: 'PUT', url: '/eureka/apps/B-APP/b1/status?value=OUT_OF_SERVICE' });
    const body = (await inject({ method: 'GET', url: '/eureka/apps/delta', headers: json })).json();
    expect(body.applications.apps__hashcode).toBe('OUT_OF_SERVICE_1_UP_1_');
    const changes = body.applications.application.flatMap((a: { instance: Array<{ instanceId: string; actionType: string; status: string }> }) =>
      a.instance.map((i) => `${i.instanceId}:${i.actionType}:${i.status}`),
    );
    // a1 and a2 changed more than 3 minutes ago and have left the delta.
    expect(changes).toEqual(['b1:MODIFIED:OUT_OF_SERVICE']);
  });

  it('gzips when asked', async () => {
    await register('A-APP', 'a1');
    const res = await inject({ method: 'GET', url: '/eureka/apps', headers: { ...json, 'accept-encoding': 'gzip, deflate' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(res.rawPayload).toString()).applications.application[0].name).toBe('A-APP');
    // Not when the client refuses it, even beside `*`.
    for (const refused of ['gzip;q=0', 'gzip;q=0, *', 'identity']) {
      const plain = await inject({ method: 'GET', url: '/eureka/apps', headers: { ...json, 'accept-encoding': refused } });
      expect(plain.headers['content-encoding'], refused).toBeUndefined();
      expect(plain.json().applications.application[0].name).toBe('A-APP');
    }
  });

  it('finds instances by id, VIP and secure VIP', async () => {
    await register('A-APP', 'a1', { vipAddress: 'shared,a-app' });
    await register('B-APP', 'b1', { vipAddress: 'shared' });
    expect((await inject({ method: 'GET', url: '/eureka/instances/b1', headers: json })).json().instance.app).toBe('B-APP');
    expect((await inject({ method: 'GET', url: '/eureka/instances/zz', headers: json })).statusCode).toBe(404);
    const vip = (await inject({ method: 'GET', url: '/eureka/vips/shared', headers: json })).json();
    expect(vip.applications.application.map((a: { name: string }) => a.name)).toEqual(['A-APP', 'B-APP']);
    const svip = (await inject({ method: 'GET', url: '/eureka/v2/svips/b-app-secure', headers: json })).json();
    expect(svip.applications.application.map((a: { name: string }) => a.name)).toEqual(['B-APP']);
  });
});

describe('status overrides and metadata', () => {
  it('overrides the status until the override is deleted; the override survives re-registration', async () => {
    await register('A-APP', 'a1');
    expect((await inject({ method: 'PUT', url: '/eureka/apps/A-APP/a1/status?value=OUT_OF_SERVICE' })).statusCode).toBe(200);
    await register('A-APP', 'a1');
    let instance = (await inject({ method: 'GET', url: '/eureka/apps/A-APP/a1', headers: json })).json().instance;
    expect(instance).toMatchObject({ status: 'OUT_OF_SERVICE', overriddenStatus: 'OUT_OF_SERVICE' });
    expect((await inject({ method: 'DELETE', url: '/eureka/apps/A-APP/a1/status' })).statusCode).toBe(200);
    // Status UNKNOWN now: the next renewal gets 404, so the client registers its own status again.
    expect((await inject({ method: 'PUT', url: '/eureka/apps/A-APP/a1' })).statusCode).toBe(404);
    await register('A-APP', 'a1');
    instance = (await inject({ method: 'GET', url: '/eureka/apps/A-APP/a1', headers: json })).json().instance;
    expect(instance).toMatchObject({ status: 'UP', overriddenStatus: 'UNKNOWN' });
  });

  it('refuses an unknown status with a 400 naming the field, and an unknown instance with 404', async () => {
    await register('A-APP', 'a1');
    const res = await inject({ method: 'PUT', url: '/eureka/apps/A-APP/a1/status?value=SLEEPY' });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/^value:/);
    expect((await inject({ method: 'PUT', url: '/eureka/apps/A-APP/zz/status?value=UP' })).statusCode).toBe(404);
  });

  it('merges metadata from the query string', async () => {
    await register('A-APP', 'a1');
    expect((await inject({ method: 'PUT', url: '/eureka/apps/A-APP/a1/metadata?weight=5&zone=b' })).statusCode).toBe(200);
    const instance = (await inject({ method: 'GET', url: '/eureka/apps/A-APP/a1', headers: json })).json().instance;
    expect(instance.metadata).toEqual({ zone: 'b', weight: '5' });
    // Encoded values decode; a malformed %-escape is a 400, not U+FFFD served back.
    expect((await inject({ method: 'PUT', url: '/eureka/apps/A-APP/a1/metadata?city=Orl%C3%A9ans+Sud' })).statusCode).toBe(200);
    const bad = await inject({ method: 'PUT', url: '/eureka/apps/A-APP/a1/metadata?zone=%FF%FE' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'querystring', message: expect.stringMatching(/malformed percent-encoding/) }]);
    const after = (await inject({ method: 'GET', url: '/eureka/apps/A-APP/a1', headers: json })).json().instance;
    expect(after.metadata).toEqual({ zone: 'b', weight: '5', city: 'Orléans Sud' });
  });
});

describe('the dashboard', () => {
  it('may load nothing but its own inline style sheet (by its hash), and is not sniffed as anything else', async () => {
    const res = await discovery.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const policy = String(res.headers['content-security-policy']).split('; ');
    expect(policy).toEqual(expect.arrayContaining(["default-src 'none'", "frame-ancestors 'none'", "form-action 'none'"]));
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)?.[1] ?? '';
    expect(style).toContain('font-family');
    expect(policy).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(res.body).not.toContain('<script');
  });
});
