// deploy/compose.yaml: the whole stack with MySQL 8.4 and Redis, started in dependency order.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  init?: boolean;
  stop_grace_period?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
}

const text = readFileSync(new URL('../compose.yaml', import.meta.url), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const apps = { discovery: 8761, gateway: 8082, event: 8081, booking: 8080 } as const;

/** `${NAME:?message}`: compose refuses to start while NAME is unset or empty, printing the message. */
function requiredVariable(value: string | undefined): { name: string; message: string } | undefined {
  const match = /^\$\{([A-Z][A-Z0-9_]*):\?([^}]*)\}$/.exec(value ?? '');
  return match ? { name: match[1]!, message: match[2]! } : undefined;
}

describe('deploy/compose.yaml', () => {
  it('names every service, MySQL 8.4 and Redis', () => {
    expect(Object.keys(services).sort()).toEqual(['booking', 'discovery', 'event', 'gateway', 'mysql', 'redis']);
    expect(services.mysql?.image).toMatch(/^mysql:8\.4(\.\d+)?$/);
    expect(services.redis?.image).toMatch(/^redis:\d+\.\d+/);
  });

  it.each(Object.entries(apps))('builds %s from the one Dockerfile and health-checks it on port %i', (name, port) => {
    const service = services[name]!;
    expect(service.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile', args: { SERVICE: name } });
    expect(service.environment?.PORT).toBe(String(port));
    expect(service.healthcheck?.test.join(' ')).toContain(`fetch('http://127.0.0.1:${port}/started')`);
    expect(service.init).toBe(true);
  });

  it.each(Object.keys(apps))('runs %s on a read-only root filesystem with a tmpfs /tmp, no capability and no new privileges', (name) => {
    const service = services[name]!;
    expect(service.read_only).toBe(true);
    expect(service.tmpfs).toEqual(['/tmp']);
    expect(service.cap_drop).toEqual(['ALL']);
    expect(service.security_opt).toEqual(['no-new-privileges:true']);
  });

  it.each(Object.keys(apps))('gives %s longer to stop than its shutdown grace and drain take', (name) => {
    const service = services[name]!;
    const seconds = /^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1];
    expect(seconds, 'stop_grace_period in seconds').toBeDefined();
    // The platform's defaults: no grace, 10 s of draining.
    const grace = Number(service.environment?.SHUTDOWN_GRACE_MS ?? 0);
    const drain = Number(service.environment?.SHUTDOWN_TIMEOUT_MS ?? 10_000);
    expect(Number(seconds) * 1000).toBeGreaterThanOrEqual(grace + drain + 10_000);
  });

  it('health-checks MySQL and Redis', () => {
    expect(services.mysql?.healthcheck?.test.join(' ')).toContain('mysqladmin ping');
    expect(services.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('starts each service only once what it needs is healthy', () => {
    const needs = (name: string) => services[name]?.depends_on ?? {};
    for (const [name, deps] of Object.entries({
      event: ['discovery', 'mysql'],
      booking: ['discovery', 'event', 'mysql', 'redis'],
      gateway: ['booking', 'discovery', 'event', 'redis'],
    })) {
      expect(Object.keys(needs(name)).sort()).toEqual(deps);
      for (const dep of Object.values(needs(name))) expect(dep).toEqual({ condition: 'service_healthy' });
    }
  });

  it('points clients at the registry and the data services by their compose names', () => {
    for (const name of ['gateway', 'event', 'booking']) {
      expect(services[name]?.environment?.EUREKA_URL).toBe('http://discovery:8761/eureka');
    }
    expect(services.event?.environment?.DATABASE_URL).toMatch(/@mysql:3306\/stream_seat_events$/);
    expect(services.booking?.environment?.DATABASE_URL).toMatch(/@mysql:3306\/stream_seat_bookings$/);
    expect(services.booking?.environment?.REDIS_URL).toBe('redis://redis:6379');
  });

  it('publishes the gateway and the registry on loopback only: dev tokens mint any role, and the registry lists every instance', () => {
    const published = Object.entries(services).filter(([, s]) => s?.ports?.length);
    expect(Object.fromEntries(published.map(([name, s]) => [name, s?.ports]))).toEqual({
      discovery: ['127.0.0.1:8761:8761'],
      gateway: ['127.0.0.1:8082:8082'],
    });
  });

  it('guards the registry: discovery and every client take their tokens from the environment, with no default, each client its own app’s', () => {
    const ownToken: Record<string, string> = {
      discovery: 'REGISTRY_TOKEN',
      event: 'EVENT_SERVICE_REGISTRY_TOKEN',
      booking: 'BOOKING_SERVICE_REGISTRY_TOKEN',
      gateway: 'API_GATEWAY_REGISTRY_TOKEN',
    };
    for (const name of Object.keys(apps)) {
      const environment = services[name]?.environment ?? {};
      // The registry demands one of every write; a client presents its app's as REGISTRY_TOKEN.
      expect(requiredVariable(environment.REGISTRY_TOKEN), name).toEqual({ name: ownToken[name], message: expect.stringContaining('8+ characters') });
      // In its own variable, not as credentials inside the registry URL.
      expect(environment.EUREKA_URL ?? '', name).not.toContain('@');
    }
    // The registry knows each app's token (`<APP>_REGISTRY_TOKEN`), to let it write that app only.
    const registry = services['discovery']?.environment ?? {};
    for (const variable of ['EVENT_SERVICE_REGISTRY_TOKEN', 'BOOKING_SERVICE_REGISTRY_TOKEN', 'API_GATEWAY_REGISTRY_TOKEN']) {
      expect(requiredVariable(registry[variable]), variable).toEqual({ name: variable, message: expect.stringContaining('8+ characters') });
    }
  });

  it('shares SERVICE_TOKEN from the environment between event (which presents it) and booking (which demands it) only', () => {
    for (const name of ['event', 'booking']) {
      expect(requiredVariable(services[name]?.environment?.SERVICE_TOKEN), name).toEqual({ name: 'SERVICE_TOKEN', message: expect.stringContaining('16+ characters') });
    }
    for (const name of ['gateway', 'discovery']) expect(services[name]?.environment?.SERVICE_TOKEN, name).toBeUndefined();
  });

  it('gives no secret a default: each comes from the environment, and an .env beside the file stays out of git', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!/(PASSWORD|SECRET|TOKEN)$/.test(key)) continue;
        // A client's REGISTRY_TOKEN is its app's own registry token; every other secret is itself.
        const source = key === 'REGISTRY_TOKEN' && name !== 'discovery' ? /^[A-Z_]+_REGISTRY_TOKEN$/ : new RegExp(`^${key}$`);
        expect(requiredVariable(value)?.name, `${name}.${key}`).toMatch(source);
      }
    }
    expect(text).not.toMatch(/\$\{[A-Z_]*(PASSWORD|SECRET|TOKEN):?-/);
    const ignored = readFileSync(new URL('../.gitignore', import.meta.url), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toContain('.env');
  });
});
