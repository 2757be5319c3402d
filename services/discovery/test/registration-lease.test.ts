/**
 * A registration's lease cannot switch lease expiry off for everyone: a renewal interval must be a
 * whole number of seconds, so no instance is "expected" to renew more often than once a second, and
 * lease settings are capped at an hour. With self-preservation on (the default), a hostile lease
 * moves the renewal threshold no further than a sane instance renewing every second does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { instanceBody, manualClock } from './eureka-fixtures.js';

const apps: DiscoveryApp[] = [];
afterEach(async () => {
  for (const d of apps.splice(0)) await d.app.close();
});

async function registry() {
  const clock = manualClock();
  const discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, clock, logger: false });
  apps.push(discovery);
  await discovery.app.ready();
  const register = (app: string, id: string, leaseInfo: unknown) =>
    discovery.app.inject({ method: 'POST', url: `/eureka/apps/${app}`, payload: instanceBody(app, id, { leaseInfo }) });
  return { discovery, clock, register };
}

const SANE = { renewalIntervalInSecs: 30, durationInSecs: 90 };

/** The threshold a minute after one steady instance and `candidate`'s registration; undefined when refused. */
async function thresholdWith(candidate: unknown): Promise<number | undefined> {
  const { discovery, clock, register } = await registry();
  await register('STEADY', 's1', SANE);
  const res = await register('CANDIDATE', 'c1', candidate);
  clock.advance(61_000);
  return res.statusCode === 204 ? discovery.registry.stats().renewalThreshold : undefined;
}

describe('a hostile lease', () => {
  it('is refused when its renewal interval is not a whole number of seconds, naming the field', async () => {
    const { discovery, register } = await registry();
    for (const renewalIntervalInSecs of [0.000001, '1e-9', 0.5, -1, 'abc', 1e308, 'Infinity']) {
      const res = await register('FUZZ-APP', 'f1', { renewalIntervalInSecs, durationInSecs: 90 });
      expect(res.statusCode, String(renewalIntervalInSecs)).toBe(400);
      expect(res.json().errors).toEqual([{ field: 'instance.leaseInfo.renewalIntervalInSecs', message: 'must be a whole number of seconds' }]);
    }
    const res = await register('FUZZ-APP', 'f1', { ...SANE, durationInSecs: 0.5 });
    expect(res.json().errors[0].field).toBe('instance.leaseInfo.durationInSecs');
    expect(discovery.registry.size()).toBe(0);
  });

  it('moves the threshold no further than a sane instance renewing every second', async () => {
    const fastestSane = await thresholdWith({ renewalIntervalInSecs: 1, durationInSecs: 3 });
    expect(fastestSane).toBe(Math.floor((2 + 60) * 0.85));
    for (const hostile of [
      { renewalIntervalInSecs: 0.000001, durationInSecs: 90 },
      { renewalIntervalInSecs: 0, durationInSecs: 0 },
      { renewalIntervalInSecs: 1, durationInSecs: 1 },
      { renewalIntervalInSecs: '000001', durationInSecs: 99999999999 },
      { renewalIntervalInSecs: 99999999999, durationInSecs: 1 },
    ]) {
      const threshold = await thresholdWith(hostile);
      expect(threshold ?? 0, JSON.stringify(hostile)).toBeLessThanOrEqual(fastestSane as number);
    }
  });

  it('cannot stop a dead instance’s lease from expiring while the others renew', async () => {
    const { discovery, clock, register } = await registry();
    for (let i = 0; i < 17; i++) await register('FLEET', `i${i}`, SANE);
    await register('FUZZ-APP', 'hostile', { renewalIntervalInSecs: 0.000001, durationInSecs: 90 });
    // i0 dies; the other sixteen renew every 30 s for three minutes.
    for (let t = 0; t < 6; t++) {
      clock.advance(30_000);
      for (let i = 1; i < 17; i++) await discovery.app.inject({ method: 'PUT', url: `/eureka/apps/FLEET/i${i}` });
    }
    const { evicted, stats } = discovery.registry.evictExpired();
    expect(stats).toMatchObject({ leaseExpirationEnabled: true, renewalThreshold: Math.floor(34 * 0.85) });
    expect(evicted.map((i) => i.instanceId)).toEqual(['i0']);
  });
});

describe('lease settings', () => {
  it('take Eureka’s defaults for 0 or none, and are capped at an hour', async () => {
    const { discovery, register } = await registry();
    await register('A', 'zero', { renewalIntervalInSecs: 0, durationInSecs: 0 });
    await register('A', 'none', undefined);
    await register('A', 'long', { renewalIntervalInSecs: '7200', durationInSecs: 99999999999 });
    const lease = (id: string) => discovery.registry.instance('A', id)?.leaseInfo;
    expect(lease('zero')).toMatchObject({ renewalIntervalInSecs: 30, durationInSecs: 90 });
    expect(lease('none')).toMatchObject({ renewalIntervalInSecs: 30, durationInSecs: 90 });
    expect(lease('long')).toMatchObject({ renewalIntervalInSecs: 3600, durationInSecs: 3600 });
  });

  it('keep a renewal interval longer than the lease as sent, so the threshold expects only what the instance sends', async () => {
    // As the platform client registers with renewSeconds 3600 and leaseSeconds 1 in registry-restart.test.ts.
    const threshold = await thresholdWith({ renewalIntervalInSecs: 3600, durationInSecs: 1 });
    expect(threshold).toBe(Math.floor((2 + 1 / 60) * 0.85));
  });
});
