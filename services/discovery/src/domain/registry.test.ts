import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/eureka-fixtures.js';
import { decodeInstance } from './eureka-json.js';
import { createRegistry } from './registry.js';

function instance(app: string, id: string, now: number, renewSecs = 30, durationSecs = 90) {
  return decodeInstance(
    {
      instance: {
        instanceId: id,
        hostName: id,
        app,
        ipAddr: '10.0.0.1',
        dataCenterInfo: { name: 'MyOwn' },
        leaseInfo: { renewalIntervalInSecs: renewSecs, durationInSecs: durationSecs },
      },
    },
    app,
    now,
  );
}

describe('leases', () => {
  it('expire once their duration has passed without a renewal, not twice the duration', () => {
    const clock = manualClock();
    const registry = createRegistry({ clock, selfPreservation: { enabled: false } });
    registry.register(instance('A', 'a1', clock(), 10, 30));
    clock.advance(30_000);
    expect(registry.evictExpired().evicted).toHaveLength(0);
    clock.advance(1);
    expect(registry.evictExpired().evicted.map((i) => i.instanceId)).toEqual(['a1']);
  });

  it('are extended by a renewal', () => {
    const clock = manualClock();
    const registry = createRegistry({ clock, selfPreservation: { enabled: false } });
    registry.register(instance('A', 'a1', clock(), 10, 30));
    clock.advance(25_000);
    expect(registry.renew('A', 'a1').kind).toBe('renewed');
    clock.advance(25_000);
    expect(registry.evictExpired().evicted).toHaveLength(0);
  });
});

describe('self-preservation', () => {
  /** 20 instances renewing every 10 s, all registered over a minute ago and renewing on time. */
  function steadyRegistry() {
    const clock = manualClock();
    const registry = createRegistry({ clock });
    for (let i = 0; i < 20; i++) registry.register(instance('A', `a${i}`, clock(), 10, 30));
    for (let t = 0; t < 7; t++) {
      clock.advance(10_000);
      for (let i = 0; i < 20; i++) registry.renew('A', `a${i}`);
    }
    return { clock, registry };
  }

  it('computes the threshold as 85% of the expected renewals per minute', () => {
    const { registry } = steadyRegistry();
    const stats = registry.stats();
    expect(stats.expectedRenewalsPerMinute).toBe(120);
    expect(stats.renewalThreshold).toBe(102);
    expect(stats.renewalsLastMinute).toBe(120);
    expect(stats.leaseExpirationEnabled).toBe(true);
  });

  it('evicts at most 15% of the registry per pass', () => {
    const { clock, registry } = steadyRegistry();
    // Four instances stop renewing (too few to trip self-preservation); the other sixteen carry on.
    for (let t = 0; t < 4; t++) {
      clock.advance(10_000);
      for (let i = 4; i < 20; i++) registry.renew('A', `a${i}`);
    }
    expect(registry.stats().renewalsLastMinute).toBeGreaterThanOrEqual(102);
    const first = registry.evictExpired().evicted;
    expect(first).toHaveLength(3);
    expect(registry.evictExpired().evicted).toHaveLength(1);
    expect(registry.size()).toBe(16);
  });

  it('lets nothing expire while renewals are below the threshold, and expires again once they recover', () => {
    const { clock, registry } = steadyRegistry();
    // A partition on the registry's side: half the renewals stop arriving for a minute.
    for (let t = 0; t < 6; t++) {
      clock.advance(10_000);
      for (let i = 10; i < 20; i++) registry.renew('A', `a${i}`);
    }
    const held = registry.evictExpired();
    expect(held.stats.leaseExpirationEnabled).toBe(false);
    expect(held.evicted).toHaveLength(0);
    expect(registry.size()).toBe(20);

    const relaxed = createRegistry({ clock, selfPreservation: { enabled: false } });
    relaxed.register(instance('A', 'x', clock() - 100_000, 10, 30));
    expect(relaxed.stats().leaseExpirationEnabled).toBe(true);
  });

  it('does not count instances registered less than a minute ago among the expected renewals', () => {
    const clock = manualClock();
    const registry = createRegistry({ clock });
    registry.register(instance('A', 'a1', clock(), 1, 3));
    clock.advance(5_000);
    expect(registry.stats()).toMatchObject({ expectedRenewalsPerMinute: 0, renewalThreshold: 0, leaseExpirationEnabled: true });
    expect(registry.evictExpired().evicted).toHaveLength(1);
  });
});

describe('registration', () => {
  it('keeps an existing copy whose lastDirtyTimestamp is newer', () => {
    const clock = manualClock();
    const registry = createRegistry({ clock });
    const newer = { ...instance('A', 'a1', clock()), ipAddr: '10.0.0.2', lastDirtyTimestamp: 2_000 };
    registry.register(newer);
    registry.register({ ...instance('A', 'a1', clock()), ipAddr: '10.0.0.3', lastDirtyTimestamp: 1_000 });
    expect(registry.instance('a', 'a1')?.ipAddr).toBe('10.0.0.2');
  });
});
