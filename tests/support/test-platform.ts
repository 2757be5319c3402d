/**
 * The whole platform as processes for an end-to-end test: free ports, fresh SQLite files (unless
 * a test points a service elsewhere), short registry intervals, logs kept for failure messages,
 * and small helpers to call the gateway as a user would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launchPlatform,
  type PlatformOptions,
  type RunningPlatform,
  serviceNames,
  type ServiceName,
  waitUntilRoutable,
} from '../../scripts/platform-launcher.js';
import { freePort } from './free-port.js';

export interface GatewayResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestPlatform {
  platform: RunningPlatform;
  gateway: string;
  logs: string[];
  /** `{ authorization: 'Bearer …' }` from the gateway's dev-token route. */
  tokenFor(sub: string, role?: 'buyer' | 'organizer' | 'admin'): Promise<Record<string, string>>;
  /** Calls the gateway with a JSON body (if any) and parses the JSON answer (if any). */
  send<T = Record<string, unknown>>(method: string, path: string, headers?: Record<string, string>, body?: unknown): Promise<GatewayResponse<T>>;
  /**
   * Puts an event on sale as `organizer`: a venue made from `layout`, an event on it (ten days
   * ahead, in EUR, unless `event` says otherwise; `event` names it and gives its prices), then
   * published. Throws, with the gateway's answer, at the first step that fails.
   */
  putOnSale(organizer: Record<string, string>, layout: object, event: Record<string, unknown>): Promise<{ eventId: string; venueId: string }>;
  stop(): Promise<void>;
}

export interface TestPlatformOptions {
  name: string;
  env?: PlatformOptions['env'];
  serviceEnv?: PlatformOptions['serviceEnv'];
  renewSeconds?: number;
  /** Ports chosen by the test (an identity provider must know the gateway's address first). */
  ports?: Partial<Record<ServiceName, number>>;
}

export async function startTestPlatform(options: TestPlatformOptions): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), `stream-seat-${options.name}-`));
  const logs: string[] = [];
  const ports = Object.fromEntries(await Promise.all(serviceNames.map(async (n) => [n, options.ports?.[n] ?? (await freePort())]))) as Record<ServiceName, number>;
  const platform = launchPlatform({
    ports,
    renewSeconds: options.renewSeconds ?? 1,
    env: { LOG_LEVEL: 'warn', ...options.env },
    serviceEnv: {
      ...options.serviceEnv,
      event: { DATABASE_URL: join(dataDir, 'event.db'), ...options.serviceEnv?.event },
      booking: { DATABASE_URL: join(dataDir, 'booking.db'), ...options.serviceEnv?.booking },
    },
    onLog: (service, line) => logs.push(`${service} | ${line}`),
  });
  const gateway = platform.urls.gateway;
  const stop = async () => {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilRoutable(gateway, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${logs.slice(-30).join('\n')}`);
  }

  const testPlatform: TestPlatform = {
    platform,
    gateway,
    logs,
    async tokenFor(sub, role = 'buyer') {
      const res = await fetch(`${gateway}/api/auth/dev-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub, role }),
      });
      return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
    },
    async send<T>(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
      const res = await fetch(gateway + path, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async putOnSale(organizer, layout, event) {
      const step = async (what: string, expected: number, method: string, path: string, body?: unknown) => {
        const res = await testPlatform.send(method, path, organizer, body);
        if (res.status !== expected) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
        return res.body;
      };
      const venue = await step('venue', 201, 'POST', '/api/venues', layout);
      const venueId = venue['id'] as string;
      const created = await step('event', 201, 'POST', '/api/events', {
        venueId,
        startsAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
        currency: 'EUR',
        ...event,
      });
      const eventId = created['id'] as string;
      await step('publish', 200, 'POST', `/api/events/${eventId}/publish`);
      return { eventId, venueId };
    },
    stop,
  };
  return testPlatform;
}
