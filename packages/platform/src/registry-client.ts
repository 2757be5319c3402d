/**
 * Eureka client: registers this instance, renews its lease, registers again when a renewal gets
 * 404, deregisters on shutdown, and keeps a cached copy of the registry that keeps answering
 * lookups while the registry is unreachable. Several registry URLs fail over in order, starting
 * with the last one that answered; after a failure an endpoint's connections are dropped, so its
 * DNS name is resolved again. Credentials in a URL are sent as an Authorization header, the
 * registry token (REGISTRY_TOKEN) as a bearer token to URLs without them.
 */
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { createRegistryEndpoints } from './registry-endpoints.js';

/**
 * Sent by a registry that started without a peer's copy, for a while after it started
 * (REGISTRY_WARMUP_MS; the value: the milliseconds left): its instances are still registering
 * again, at their next renewal, and one it does not list may only not have come back yet.
 */
export const REGISTRY_WARMING_UP_HEADER = 'x-registry-warming-up';

export interface InstanceAddress {
  instanceId: string;
  app: string;
  host: string;
  port: number;
  status: string;
  /** `http://host:port`, the base URL to call. */
  url: string;
}

export interface RegistryClientOptions {
  registryUrls: string[];
  app: string;
  instanceId: string;
  host: string;
  port: number;
  renewSeconds: number;
  leaseSeconds: number;
  fetchSeconds: number;
  log: FastifyBaseLogger;
  /** Eureka metadata registered with the instance. */
  metadata?: Record<string, string>;
  timeoutMs?: number;
  /** Name resolution for registry connections; default: the system's (tests fabricate DNS). */
  lookup?: LookupFunction;
  /** The registry's token, sent as a bearer token to every registry URL without credentials. */
  token?: string | undefined;
}

export interface RegistryClient {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Instances of an app (case-insensitive) whose status is UP, from the cache. */
  instances(app: string): InstanceAddress[];
  /** Fetches the registry now; resolves false when no registry answered. */
  refresh(): Promise<boolean>;
  /**
   * The fetch a lookup that found nothing started (at most one a second), while it runs: a caller
   * that cannot do without an instance awaits it and looks again. Undefined when none runs.
   */
  pendingRefresh(): Promise<boolean> | undefined;
  /** True once a registration succeeded and the last registry call answered. */
  isHealthy(): boolean;
  /**
   * Whether the instance can take traffic as far as the registry goes: registered once and holding
   * a copy of the registry. A registry outage afterwards keeps it ready, serving lookups from that
   * copy (`note` says since when), as Eureka clients do: were every instance to turn unready when
   * the one registry stops, the load balancer would take them all out of service at once.
   * `needsRegistration` false: a copy alone will do (an instance nobody finds through the registry).
   */
  readiness(needsRegistration?: boolean): { ready: boolean; note?: string };
}

interface EurekaInstanceJson {
  instanceId?: string;
  app?: string;
  hostName?: string;
  ipAddr?: string;
  status?: string;
  port?: { $?: number | string } | number;
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** `onUnusable` hears of each instance left out because its address makes no URL. */
export function parseApplications(body: unknown, onUnusable?: (instance: InstanceAddress) => void): Map<string, InstanceAddress[]> {
  const apps = new Map<string, InstanceAddress[]>();
  const root = (body as { applications?: { application?: unknown } }).applications;
  for (const application of toArray(root?.application as { name?: string; instance?: unknown } | undefined)) {
    const name = String(application.name ?? '').toUpperCase();
    const listed = toArray(application.instance as EurekaInstanceJson | EurekaInstanceJson[] | undefined).map(
      (i): InstanceAddress => {
        const port = typeof i.port === 'object' ? Number(i.port.$) : Number(i.port);
        const host = i.ipAddr ?? i.hostName ?? 'localhost';
        return {
          instanceId: i.instanceId ?? `${host}:${port}`,
          app: name,
          host,
          port,
          status: i.status ?? 'UNKNOWN',
          url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        };
      },
    );
    // An address no URL can be made of (an IPv6 zone id, a stray character: another registry may
    // have taken it) is no instance to send a request to, not a bad request of the client's.
    apps.set(
      name,
      listed.filter((instance) => {
        if (URL.canParse(instance.url)) return true;
        onUnusable?.(instance);
        return false;
      }),
    );
  }
  return apps;
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const app = options.app.toUpperCase();
  const timeoutMs = options.timeoutMs ?? 3_000;
  const log = options.log.child({ component: 'registry-client' });
  let cache = new Map<string, InstanceAddress[]>();
  /** Instances the registry stopped listing, and since when (see withRecentlySeen), by app and instance id. */
  const missingSince = new Map<string, number>();
  let registered = false;
  let registeredOnce = false;
  let fetchedOnce = false;
  let lastCallOk = false;
  /** When the registry stopped answering (undefined while it answers). */
  let unreachableSince: number | undefined;
  let timers: NodeJS.Timeout[] = [];
  let stopped = false;
  let preferred = 0;

  const body = () => ({
    instance: {
      instanceId: options.instanceId,
      hostName: options.host,
      app,
      ipAddr: options.host,
      vipAddress: app.toLowerCase(),
      secureVipAddress: app.toLowerCase(),
      status: 'UP',
      port: { $: options.port, '@enabled': 'true' },
      securePort: { $: 443, '@enabled': 'false' },
      homePageUrl: `http://${options.host}:${options.port}/`,
      statusPageUrl: `http://${options.host}:${options.port}/health`,
      healthCheckUrl: `http://${options.host}:${options.port}/health`,
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: { renewalIntervalInSecs: options.renewSeconds, durationInSecs: options.leaseSeconds },
      metadata: options.metadata ?? {},
    },
  });

  const endpoints = createRegistryEndpoints(options.registryUrls, { token: options.token, ...(options.lookup ? { lookup: options.lookup } : {}) });

  /** Calls the registries in order, starting with the last one that answered. */
  async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, json?: unknown) {
    const count = endpoints.endpoints.length;
    let lastError: unknown;
    for (let attempt = 0; attempt < count; attempt++) {
      const index = (preferred + attempt) % count;
      try {
        const response = await endpoints.call(index, { method, path, json, timeoutMs });
        if (response.status >= 500) {
          endpoints.reset(index);
          throw new Error(`registry answered ${response.status}`);
        }
        if (index !== preferred) log.info({ registry: endpoints.endpoints[index]?.url }, 'now using this registry');
        preferred = index;
        lastCallOk = true;
        unreachableSince = undefined;
        return response;
      } catch (error) {
        lastError = error;
      }
    }
    lastCallOk = false;
    unreachableSince ??= Date.now();
    throw lastError instanceof Error ? lastError : new Error('no registry answered');
  }

  async function register(): Promise<boolean> {
    try {
      const { status } = await call('POST', `/apps/${app}`, body());
      registered = status === 204 || status === 200;
      registeredOnce ||= registered;
      if (registered) log.info({ instanceId: options.instanceId, host: options.host, port: options.port }, 'registered');
      else log.warn({ status }, status === 401 ? 'registration refused: the registry needs its token (REGISTRY_TOKEN, or credentials in EUREKA_URL)' : 'registration refused');
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'registry unreachable; will retry');
    }
    return registered;
  }

  async function renew(): Promise<void> {
    if (!registered) {
      await register();
      return;
    }
    try {
      const { status } = await call('PUT', `/apps/${app}/${encodeURIComponent(options.instanceId)}?status=UP`);
      if (status === 404) {
        log.info('lease unknown to the registry; registering again');
        registered = false;
        await register();
      } else if (status >= 300) {
        log.warn({ status }, 'lease renewal refused');
      }
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'lease renewal failed');
    }
  }

  /**
   * A registry that restarted answers empty until the instances register again (their next
   * renewal gets a 404). Keeping an app that vanished for one lease duration rides that out; an
   * instance that is really gone fails fast on connect and the caller tries the next one. The
   * lease is counted from the first answer without the app, not from the last one with it: after
   * an outage longer than a lease, the registry's first answers (still empty) would otherwise have
   * made every app vanish at once.
   *
   * While the registry says it is warming up (REGISTRY_WARMING_UP_HEADER), each instance it does
   * not list is kept so too, not only whole apps: the first instance of an app to register again
   * had been the app's only one until the others renewed (all traffic on one instance for up to a
   * renewal interval). Otherwise an app's instances are the ones listed: one that deregistered is
   * gone at once.
   */
  function withRecentlySeen(fetched: Map<string, InstanceAddress[]>, registryWarmingUp: boolean): Map<string, InstanceAddress[]> {
    const now = Date.now();
    const stillMissing = new Set<string>();
    for (const [name, known] of cache) {
      const listed = fetched.get(name);
      if (listed && !registryWarmingUp) continue;
      const listedIds = new Set((listed ?? []).map((instance) => instance.instanceId));
      const kept = known.filter((instance) => {
        if (listedIds.has(instance.instanceId)) return false;
        const key = `${name}\n${instance.instanceId}`;
        const since = missingSince.get(key) ?? now;
        if (now - since >= options.leaseSeconds * 1000) return false;
        missingSince.set(key, since);
        stillMissing.add(key);
        return true;
      });
      if (kept.length > 0) fetched.set(name, [...(listed ?? []), ...kept]);
    }
    for (const key of missingSince.keys()) if (!stillMissing.has(key)) missingSince.delete(key);
    return fetched;
  }

  /** Instances already reported as unusable: each is said once, not at every fetch. */
  const reportedUnusable = new Set<string>();
  function warnUnusable(instance: InstanceAddress): void {
    if (reportedUnusable.has(instance.instanceId)) return;
    reportedUnusable.add(instance.instanceId);
    log.warn({ app: instance.app, instanceId: instance.instanceId, host: instance.host }, 'registry lists an instance whose address makes no URL; not sending it requests');
  }

  async function refresh(): Promise<boolean> {
    try {
      const { status, text, headers } = await call('GET', '/apps');
      if (status !== 200) return false;
      cache = withRecentlySeen(parseApplications(JSON.parse(text), warnUnusable), headers[REGISTRY_WARMING_UP_HEADER] !== undefined);
      fetchedOnce = true;
      return true;
    } catch (error) {
      log.debug({ err: (error as Error).message }, 'registry fetch failed; serving the cached copy');
      return false;
    }
  }

  /** Until the first registration succeeds, retry soon rather than a whole renewal interval later. */
  async function registerWithBackoff(): Promise<void> {
    for (let delay = 250; !stopped && !(await register()); delay = Math.min(delay * 2, options.renewSeconds * 1000)) {
      await sleep(delay, undefined, { ref: false });
    }
    if (!stopped) await refresh();
  }

  /** A lookup that finds nothing asks the registry again, at most once a second. */
  let lastOnDemandRefresh = 0;
  let onDemand: Promise<boolean> | undefined;
  function refreshSoon(): void {
    const now = Date.now();
    if (now - lastOnDemandRefresh < 1_000 || stopped || options.registryUrls.length === 0) return;
    lastOnDemandRefresh = now;
    onDemand = refresh().finally(() => (onDemand = undefined));
  }

  function every(seconds: number, task: () => Promise<unknown>) {
    const timer = setInterval(() => {
      if (!stopped) void task();
    }, seconds * 1000);
    timer.unref();
    timers.push(timer);
  }

  return {
    async start() {
      stopped = false;
      if (options.registryUrls.length === 0) return;
      if (await register()) await refresh();
      else void registerWithBackoff();
      every(options.renewSeconds, renew);
      every(options.fetchSeconds, refresh);
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      timers = [];
      if (!registered || options.registryUrls.length === 0) return endpoints.close();
      try {
        await call('DELETE', `/apps/${app}/${encodeURIComponent(options.instanceId)}`);
        log.info('deregistered');
      } catch (error) {
        log.warn({ err: (error as Error).message }, 'deregistration failed');
      }
      registered = false;
      await endpoints.close();
    },
    instances(name) {
      const up = (cache.get(name.toUpperCase()) ?? []).filter((i) => i.status === 'UP');
      if (up.length === 0) refreshSoon();
      return up;
    },
    refresh,
    pendingRefresh: () => onDemand,
    isHealthy() {
      return options.registryUrls.length === 0 || (registered && lastCallOk);
    },
    readiness(needsRegistration = true) {
      if (options.registryUrls.length === 0) return { ready: true };
      if (needsRegistration && !registeredOnce) return { ready: false, note: 'not registered yet' };
      if (!fetchedOnce) return { ready: false, note: 'no copy of the registry yet' };
      if (unreachableSince === undefined) return { ready: true };
      const seconds = Math.round((Date.now() - unreachableSince) / 1000);
      return { ready: true, note: `registry unreachable for ${seconds} s; serving lookups from the cached copy` };
    },
  };
}
