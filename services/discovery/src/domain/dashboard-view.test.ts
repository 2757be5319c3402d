import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/eureka-fixtures.js';
import { renderDashboard, SELF_PRESERVATION_OFF, SELF_PRESERVATION_WARNING } from './dashboard-view.js';
import { decodeInstance } from './eureka-json.js';
import type { RegistryStats } from './registry.js';

const stats: RegistryStats = {
  instances: 1,
  renewalsLastMinute: 40,
  expectedRenewalsPerMinute: 60,
  renewalThreshold: 51,
  selfPreservationEnabled: true,
  leaseExpirationEnabled: false,
};

describe('the dashboard', () => {
  const clock = manualClock();
  const rogue = decodeInstance(
    { instance: { instanceId: '<script>alert(1)</script>', hostName: 'h', app: 'A&B', ipAddr: '10.0.0.5', port: 8080, dataCenterInfo: { name: 'MyOwn' } } },
    'A&B',
    clock(),
  );

  it('shows uptime, status figures, the self-preservation warning, replicas and instances with their address', () => {
    const html = renderDashboard({
      now: clock() + 3_725_000,
      startedAt: clock(),
      stats,
      peers: [{ url: 'http://peer:8761/eureka', self: false, lastError: 'ECONNREFUSED' }],
      applications: [{ name: 'A&B', instances: [rogue] }],
    });
    expect(html).toContain('<td>Uptime</td><td>01:02:05</td>');
    expect(html).toContain('<td>Lease expiration enabled</td><td>false</td>');
    expect(html).toContain('<td>Renews threshold</td><td>51</td>');
    expect(html).toContain('<td>Renews (last min)</td><td>40</td>');
    expect(html).toContain('EMERGENCY! EUREKA MAY BE INCORRECTLY CLAIMING');
    expect(html).toContain('<td>http://peer:8761/eureka</td><td>unavailable: ECONNREFUSED</td>');
    expect(html).toContain('<td>A&amp;B</td>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; (10.0.0.5:8080)');
    expect(html).not.toContain('<script>');
  });

  it('says so when self-preservation is off, and warns of nothing while leases expire normally', () => {
    const base = { now: clock(), startedAt: clock(), peers: [], applications: [] };
    expect(renderDashboard({ ...base, stats: { ...stats, selfPreservationEnabled: false, leaseExpirationEnabled: true } })).toContain(SELF_PRESERVATION_OFF);
    const calm = renderDashboard({ ...base, stats: { ...stats, leaseExpirationEnabled: true } });
    expect(calm).not.toContain(SELF_PRESERVATION_WARNING.slice(0, 20));
    expect(calm).toContain('No instances available.');
  });
});
