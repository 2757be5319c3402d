import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/eureka-fixtures.js';
import { decodeInstance } from './eureka-json.js';
import type { InstanceInfo } from './instance.js';
import { expectedRenewals } from './self-preservation.js';

function registeredLongAgo(renewalIntervalInSecs: number, now: number): InstanceInfo {
  const instance = decodeInstance(
    { instance: { instanceId: 'a1', hostName: 'a1', app: 'A', ipAddr: '10.0.0.1', dataCenterInfo: { name: 'MyOwn' } } },
    'A',
    now - 120_000,
  );
  return { ...instance, leaseInfo: { ...instance.leaseInfo, renewalIntervalInSecs } };
}

describe('expected renewals', () => {
  it('count each instance at its own interval', () => {
    const now = manualClock()();
    expect(expectedRenewals([registeredLongAgo(30, now), registeredLongAgo(10, now)], now, 60_000)).toBe(2 + 6);
  });

  it('never expect an instance to renew more than once a second, whatever interval it holds', () => {
    const now = manualClock()();
    for (const interval of [0.000001, 0.5, 0, -1, Number.NaN]) {
      expect(expectedRenewals([registeredLongAgo(interval, now)], now, 60_000), String(interval)).toBe(60);
    }
  });
});
