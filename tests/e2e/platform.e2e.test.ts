/**
 * The whole platform as four OS processes, driven through the gateway as a user would: the
 * services register, requests flow client → gateway → registry → service → database, a killed
 * service turns into a fast 503 and comes back by itself when restarted.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../../scripts/platform-launcher.js';
import { eurekaInstance } from '../support/eureka-instance.js';
import { eventually, freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

let test: TestPlatform;
let platform: RunningPlatform;
const RENEW_SECONDS = 1;

beforeAll(async () => {
  // Request logs on: the trace test reads them.
  test = await startTestPlatform({ name: 'platform', renewSeconds: RENEW_SECONDS, env: { LOG_LEVEL: 'info' } });
  platform = test.platform;
}, 90_000);

afterAll(() => test?.stop());

describe('the platform, through the gateway', () => {
  it('lists the three applications in the registry', async () => {
    const res = await fetch(`${platform.urls.discovery}/eureka/apps`, { headers: { accept: 'application/json' } });
    const body = (await res.json()) as { applications: { application: Array<{ name: string }> } };
    expect(body.applications.application.map((a) => a.name).sort()).toEqual([
      'API-GATEWAY',
      'BOOKING-SERVICE',
      'EVENT-SERVICE',
    ]);
  });

  it('answers GET /api/events from the event service database', async () => {
    const res = await fetch(`${platform.urls.gateway}/api/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toEqual({ items: [], nextCursor: null });
  });

  it('answers availability of an unknown event with a 404 problem from the booking service', async () => {
    const res = await fetch(`${platform.urls.gateway}/api/availability/no-such-event`);
    expect(res.status, await res.clone().text()).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('answers a wrong type with a 400 problem naming the field', async () => {
    const res = await fetch(`${platform.urls.gateway}/api/events?limit=lots`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/limit/);
  });

  it('issues dev tokens in the local mode', async () => {
    const res = await fetch(`${platform.urls.gateway}/api/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'alice', role: 'buyer' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token: string }).token.split('.')).toHaveLength(3);
  });

  it('continues the caller\'s trace through the gateway', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await fetch(`${platform.urls.gateway}/api/events`, {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-`));
  });

  it('logs one trace and one request id in every service a request crosses', async () => {
    const traceId = 'a3ce929d0e0e47364bf92f3577b34da6';
    // Booking asks the event service about an event it has not seen: gateway → booking → event.
    const res = await fetch(`${platform.urls.gateway}/api/availability/trace-${Date.now()}`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': `trace-test-${traceId.slice(0, 8)}` },
    });
    expect(res.status).toBe(404);
    const lines = await eventually(
      async () => {
        const traced = test.logs.filter((l) => l.includes(`"traceId":"${traceId}"`));
        return ['gateway', 'booking', 'event'].every((s) => traced.some((l) => l.startsWith(`${s} |`) && l.includes('request completed'))) ? traced : undefined;
      },
      5_000,
      'a completed request with the trace in each service',
    );
    for (const line of lines) expect(line, line).toContain(`"reqId":"trace-test-${traceId.slice(0, 8)}"`);
    // Each service logs its own span of the trace.
    const spans = new Set(lines.map((l) => /"spanId":"([0-9a-f]{16})"/.exec(l)?.[1]));
    expect(spans.size).toBeGreaterThanOrEqual(3);
    expect(spans.has(undefined)).toBe(false);
  });

  it('refuses a registration without the registry token, or with another app’s, so no rogue instance gets traffic', async () => {
    const roguePort = await freePort();
    const rogue = await fetch(`${platform.urls.discovery}/eureka/apps/BOOKING-SERVICE`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(eurekaInstance('BOOKING-SERVICE', `rogue:${roguePort}`, roguePort)),
    });
    expect(rogue.status).toBe(401);
    // Nor with the gateway's own token (were the internet-facing gateway taken over): it writes
    // API-GATEWAY's instances only.
    const viaGateway = await fetch(`${platform.urls.discovery}/eureka/apps/BOOKING-SERVICE`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.registryTokenOf('gateway')}` },
      body: JSON.stringify(eurekaInstance('BOOKING-SERVICE', `rogue:${roguePort}`, roguePort)),
    });
    expect(viaGateway.status).toBe(403);
    // Nor as a gateway instance claiming booking's VIP address (clients routing by VIP would call it).
    const gatewayInstance = eurekaInstance('API-GATEWAY', `rogue:${roguePort}`, roguePort);
    const claimingVip = await fetch(`${platform.urls.discovery}/eureka/apps/API-GATEWAY`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.registryTokenOf('gateway')}` },
      body: JSON.stringify({ instance: { ...gatewayInstance.instance, vipAddress: 'booking-service' } }),
    });
    expect(claimingVip.status).toBe(403);
    const res = await fetch(`${platform.urls.discovery}/eureka/apps/BOOKING-SERVICE`, { headers: { accept: 'application/json' } });
    expect(JSON.stringify(await res.json())).not.toContain(`rogue:${roguePort}`);
    const byVip = await fetch(`${platform.urls.discovery}/eureka/vips/booking-service`, { headers: { accept: 'application/json' } });
    expect(JSON.stringify(await byVip.json())).not.toContain(`rogue:${roguePort}`);
  });

  it('routes idempotent requests around an instance that cannot be reached', async () => {
    const deadPort = await freePort();
    const registryAuth = { authorization: `Bearer ${platform.registryToken}` };
    const register = await fetch(`${platform.urls.discovery}/eureka/apps/EVENT-SERVICE`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...registryAuth },
      body: JSON.stringify(eurekaInstance('EVENT-SERVICE', `dead:${deadPort}`, deadPort)),
    });
    expect(register.status).toBe(204);
    await eventually(
      async () => {
        const routes = (await (await fetch(`${platform.urls.gateway}/gateway/routes`)).json()) as Array<{ id: string; instances: string[] }>;
        return routes.find((r) => r.id === 'events')?.instances.length === 2 ? true : undefined;
      },
      10_000,
      'the gateway to see the unreachable instance',
    );
    // Round-robin hands half of these to the dead instance first; each must still succeed.
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${platform.urls.gateway}/api/events`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const cancel = await fetch(`${platform.urls.discovery}/eureka/apps/EVENT-SERVICE/dead:${deadPort}`, { method: 'DELETE', headers: registryAuth });
    expect(cancel.status).toBe(200);
  });

  it('turns a killed service into a 503 at once, and recovers when it restarts', async () => {
    const event = platform.processes.get('event');
    if (!event) throw new Error('no event process');
    event.kill('SIGKILL');
    await once(event, 'exit');

    const down = await fetch(`${platform.urls.gateway}/api/events`, { signal: AbortSignal.timeout(5_000) });
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/application\/problem\+json/);

    // The lease lapses (3 renewal periods) and the eviction pass removes it.
    await eventually(
      async () => {
        const res = await fetch(`${platform.urls.discovery}/eureka/apps/EVENT-SERVICE`, { headers: { accept: 'application/json' } });
        return res.status === 404 ? true : undefined;
      },
      RENEW_SECONDS * 1000 * 8,
      'the registry to evict the killed instance',
    );

    platform.startService('event');
    const up = await eventually(
      async () => {
        const res = await fetch(`${platform.urls.gateway}/api/events`);
        return res.status === 200 ? res : undefined;
      },
      30_000,
      'the restarted event service to take traffic',
    );
    expect(await up.json()).toEqual({ items: [], nextCursor: null });
  }, 60_000);
});
