/**
 * Starts the four services as separate OS processes, wired to each other through the registry,
 * and stops them all together. Used by `npm start` and by the end-to-end tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const serviceNames = ['discovery', 'event', 'booking', 'gateway'] as const;
export type ServiceName = (typeof serviceNames)[number];

export interface PlatformOptions {
  ports: Record<ServiceName, number>;
  /** Extra environment for every service. */
  env?: Record<string, string | undefined>;
  /** Environment for one service only (e.g. its DATABASE_URL). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string | undefined>>>;
  /** Receives each log line of each service; default: discard. */
  onLog?: (service: ServiceName, line: string) => void;
  /** Seconds between lease renewals and registry fetches (short locally). */
  renewSeconds?: number;
  /**
   * Each service in its own process group, so that a terminal's Ctrl-C (sent to the whole
   * foreground group) reaches the launcher alone and `stop()` decides the order: otherwise the
   * registry stops at the same moment as the services that are deregistering from it.
   */
  ownProcessGroups?: boolean;
}

export interface RunningPlatform {
  urls: Record<ServiceName, string>;
  /** The registry's own token (writes any app's instances): a write to the registry by hand needs it. */
  registryToken: string;
  /** The token a service presents to the registry: its app's own, which writes that app's instances only. */
  registryTokenOf(name: Exclude<ServiceName, 'discovery'>): string;
  processes: Map<ServiceName, ChildProcess>;
  /** Starts (or restarts) one service with the platform's settings. */
  startService(name: ServiceName): ChildProcess;
  /** Starts one more instance of a service on another port (stopped with the platform). */
  startExtraInstance(name: ServiceName, port: number, env?: Record<string, string | undefined>): ChildProcess;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** The registry app each service registers as. */
const REGISTRY_APPS = { event: 'EVENT-SERVICE', booking: 'BOOKING-SERVICE', gateway: 'API-GATEWAY' } as const;

function definedOnly(env: Record<string, string | undefined> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export function launchPlatform(options: PlatformOptions): RunningPlatform {
  const renew = options.renewSeconds ?? 5;
  const jwtSecret = options.env?.['JWT_SECRET'] ?? randomBytes(32).toString('hex');
  const serviceToken = options.env?.['SERVICE_TOKEN'] ?? randomBytes(24).toString('hex');
  // As deployed: the registry refuses writes without a token. Each service presents its app's
  // own (it writes that app's instances only); REGISTRY_TOKEN, which writes any, is the registry's.
  const registryToken = options.env?.['REGISTRY_TOKEN'] ?? randomBytes(24).toString('hex');
  const appTokens = Object.fromEntries(
    Object.entries(REGISTRY_APPS).map(([name, app]) => [name, { app, token: randomBytes(24).toString('hex') }]),
  ) as Record<keyof typeof REGISTRY_APPS, { app: string; token: string }>;
  /** What a service presents to the registry as REGISTRY_TOKEN, and the registry's own tokens. */
  const registryEnv = (name: ServiceName): Record<string, string> =>
    name === 'discovery'
      ? {
          REGISTRY_TOKEN: registryToken,
          ...Object.fromEntries(Object.values(appTokens).map(({ app, token }) => [`${app.replace(/-/g, '_')}_REGISTRY_TOKEN`, token])),
        }
      : { REGISTRY_TOKEN: appTokens[name].token };
  const urls = Object.fromEntries(
    serviceNames.map((name) => [name, `http://127.0.0.1:${options.ports[name]}`]),
  ) as Record<ServiceName, string>;
  const processes = new Map<ServiceName, ChildProcess>();

  const extras: Array<[ServiceName, ChildProcess]> = [];

  function spawnService(name: ServiceName, port: number, extraEnv: Record<string, string | undefined> = {}): ChildProcess {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', `services/${name}/src/main.ts`],
      {
        cwd: root,
        env: {
          ...process.env,
          AUTH_MODE: 'dev',
          // Local mode: the gateway hands out tokens (never on a deployed gateway).
          DEV_TOKENS: 'true',
          JWT_SECRET: jwtSecret,
          SERVICE_TOKEN: serviceToken,
          ...registryEnv(name),
          ADVERTISED_HOST: '127.0.0.1',
          HOST: '127.0.0.1',
          EUREKA_URL: `${urls.discovery}/eureka`,
          EUREKA_RENEW_SECONDS: String(renew),
          EUREKA_LEASE_SECONDS: String(renew * 3),
          EUREKA_FETCH_SECONDS: String(renew),
          EVICTION_INTERVAL_MS: String(renew * 1000),
          // A laptop's three instances are too few for self-preservation: a stopped service would
          // never expire (Spring's `enable-self-preservation: false` for development).
          SELF_PRESERVATION: 'false',
          ...definedOnly(options.env),
          ...definedOnly(options.serviceEnv?.[name]),
          ...definedOnly(extraEnv),
          PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: options.ownProcessGroups ?? false,
      },
    );
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => options.onLog?.(name, line));
    }
    return child;
  }

  function startService(name: ServiceName): ChildProcess {
    const child = spawnService(name, options.ports[name]);
    processes.set(name, child);
    return child;
  }

  for (const name of serviceNames) startService(name);

  return {
    urls,
    registryToken,
    registryTokenOf: (name) => appTokens[name].token,
    processes,
    startService,
    startExtraInstance(name, port, env) {
      const child = spawnService(name, port, env);
      extras.push([name, child]);
      return child;
    },
    async stop() {
      // The registry goes last: the others deregister from it as they shut down.
      const all = [...processes.entries(), ...extras];
      await terminate(all.filter(([name]) => name !== 'discovery').map(([, child]) => child));
      await terminate(all.filter(([name]) => name === 'discovery').map(([, child]) => child));
    },
  };
}

/** SIGTERM, then SIGKILL for whatever has not exited within 10 s; resolves when all have exited. */
export async function terminate(children: ChildProcess[]): Promise<void> {
  const running = children.filter((p) => p.exitCode === null && p.signalCode === null);
  for (const child of running) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  }, 10_000);
  await Promise.all(running.map((child) => (child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined)));
  clearTimeout(deadline);
}

/** The services whose port something else already listens on (where they would bind: 127.0.0.1). */
export async function servicesWithPortTaken(ports: Record<ServiceName, number>): Promise<Array<{ name: ServiceName; port: number }>> {
  const taken = await Promise.all(
    serviceNames.map(
      (name) =>
        new Promise<boolean>((resolve) => {
          const probe = createServer();
          probe.once('error', () => resolve(true));
          probe.listen(ports[name], '127.0.0.1', () => probe.close(() => resolve(false)));
        }),
    ),
  );
  return serviceNames.filter((_, i) => taken[i]).map((name) => ({ name, port: ports[name] }));
}

/** Resolves once the gateway's route table resolves both backend services to an instance. */
export async function waitUntilRoutable(gatewayUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${gatewayUrl}/gateway/routes`);
      if (response.ok) {
        const routes = (await response.json()) as Array<{ uri: string; instances: string[] }>;
        if (routes.length > 0 && routes.every((r) => r.instances.length > 0)) return;
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the gateway at ${gatewayUrl} did not see every service within ${timeoutMs} ms`);
}
