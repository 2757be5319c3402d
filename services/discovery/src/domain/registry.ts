/**
 * The registry: instances by application, each with a lease that renewals extend. A lease expires
 * once `durationInSecs` passes without a renewal (once, not twice as in Netflix's Lease class);
 * the eviction pass removes expired leases unless self-preservation holds them.
 */
import { type ApplicationView, appsHashcode } from './eureka-json.js';
import type { InstanceInfo, InstanceStatus } from './instance.js';
import { createRecentChanges } from './recent-changes.js';
import { createRenewalMeter } from './renewal-meter.js';
import {
  evictionLimit,
  expectedRenewals,
  isLeaseExpirationEnabled,
  renewalThreshold,
  type SelfPreservationSettings,
} from './self-preservation.js';

export interface RegistryOptions {
  clock?: () => number;
  selfPreservation?: Partial<SelfPreservationSettings>;
  /** How long changes stay in the delta (Eureka: 3 minutes). */
  deltaRetentionMs?: number;
}

/**
 * `renewed`; `unknown` (404: the client registers again); `client-newer` (404: the caller holds a
 * newer copy, so it registers it); `conflict` (409 to a peer holding an older copy: it takes ours).
 */
export type RenewResult =
  | { kind: 'renewed' }
  | { kind: 'unknown' }
  | { kind: 'client-newer' }
  | { kind: 'conflict'; instance: InstanceInfo };

export interface RegistryStats {
  instances: number;
  renewalsLastMinute: number;
  expectedRenewalsPerMinute: number;
  renewalThreshold: number;
  selfPreservationEnabled: boolean;
  leaseExpirationEnabled: boolean;
}

export function createRegistry(options: RegistryOptions = {}) {
  const clock = options.clock ?? Date.now;
  const settings: SelfPreservationSettings = {
    enabled: options.selfPreservation?.enabled ?? true,
    renewalPercentThreshold: options.selfPreservation?.renewalPercentThreshold ?? 0.85,
    windowMs: options.selfPreservation?.windowMs ?? 60_000,
  };
  /** app name (upper case) → instanceId → instance */
  const apps = new Map<string, Map<string, InstanceInfo>>();
  /** Status overrides outlive re-registrations, as Eureka's overriddenInstanceStatusMap does. */
  const overrides = new Map<string, InstanceStatus>();
  const changes = createRecentChanges(options.deltaRetentionMs ?? 180_000);
  const renewals = createRenewalMeter(settings.windowMs);
  let size = 0;
  let version = 0;

  const find = (app: string, id: string) => apps.get(app.toUpperCase())?.get(id);

  function changed(instance: InstanceInfo, action: InstanceInfo['actionType'], now: number): void {
    instance.actionType = action;
    instance.lastUpdatedTimestamp = now;
    changes.add(instance, now);
    version++;
  }

  function remove(app: string, id: string, now: number): InstanceInfo | undefined {
    const instances = apps.get(app.toUpperCase());
    const instance = instances?.get(id);
    if (!instances || !instance) return undefined;
    instances.delete(id);
    size--;
    if (instances.size === 0) apps.delete(app.toUpperCase());
    overrides.delete(id);
    instance.leaseInfo.evictionTimestamp = now;
    changed(instance, 'DELETED', now);
    return instance;
  }

  function* all(): Iterable<InstanceInfo> {
    for (const instances of apps.values()) yield* instances.values();
  }

  function stats(now = clock()): RegistryStats {
    const expected = expectedRenewals(all(), now, settings.windowMs);
    const threshold = renewalThreshold(expected, settings);
    const count = renewals.count(now);
    return {
      instances: size,
      renewalsLastMinute: count,
      expectedRenewalsPerMinute: expected,
      renewalThreshold: threshold,
      selfPreservationEnabled: settings.enabled,
      leaseExpirationEnabled: isLeaseExpirationEnabled(count, threshold, settings),
    };
  }

  return {
    /** Registers or replaces an instance; an existing copy with a newer lastDirtyTimestamp wins. */
    register(incoming: InstanceInfo): InstanceInfo {
      const app = incoming.app.toUpperCase();
      const now = clock();
      const existing = find(app, incoming.instanceId);
      const chosen = existing && existing.lastDirtyTimestamp > incoming.lastDirtyTimestamp ? existing : incoming;
      const override = overrides.get(incoming.instanceId);
      const status = override ?? chosen.status;
      const instance: InstanceInfo = {
        ...chosen,
        app,
        status,
        overriddenStatus: override ?? 'UNKNOWN',
        leaseInfo: {
          ...chosen.leaseInfo,
          registrationTimestamp: now,
          lastRenewalTimestamp: now,
          evictionTimestamp: 0,
          serviceUpTimestamp: existing?.leaseInfo.serviceUpTimestamp || (status === 'UP' ? now : 0),
        },
      };
      let instances = apps.get(app);
      if (!instances) {
        instances = new Map();
        apps.set(app, instances);
      }
      instances.set(instance.instanceId, instance);
      if (!existing) size++;
      changed(instance, existing ? 'MODIFIED' : 'ADDED', now);
      return instance;
    },

    /** Extends the lease; compares lastDirtyTimestamp as Eureka's InstanceResource does. */
    renew(app: string, id: string, lastDirtyTimestamp?: number, replication = false): RenewResult {
      const now = clock();
      const instance = find(app, id);
      // After a status override is deleted the status is UNKNOWN: a 404 makes the client register its own.
      if (!instance || instance.status === 'UNKNOWN') return { kind: 'unknown' };
      renewals.record(now);
      instance.leaseInfo.lastRenewalTimestamp = now;
      if (lastDirtyTimestamp !== undefined && lastDirtyTimestamp !== instance.lastDirtyTimestamp) {
        if (lastDirtyTimestamp > instance.lastDirtyTimestamp) return { kind: 'client-newer' };
        if (replication) return { kind: 'conflict', instance };
      }
      return { kind: 'renewed' };
    },

    cancel(app: string, id: string): boolean {
      return remove(app, id, clock()) !== undefined;
    },

    /** `PUT .../status?value=`: overrides the status until the override is deleted. */
    setStatusOverride(app: string, id: string, status: InstanceStatus, lastDirtyTimestamp?: number): InstanceInfo | undefined {
      const instance = find(app, id);
      if (!instance) return undefined;
      const now = clock();
      overrides.set(id, status);
      instance.overriddenStatus = status;
      instance.status = status;
      if (status === 'UP' && !instance.leaseInfo.serviceUpTimestamp) instance.leaseInfo.serviceUpTimestamp = now;
      if (lastDirtyTimestamp !== undefined) instance.lastDirtyTimestamp = lastDirtyTimestamp;
      changed(instance, 'MODIFIED', now);
      return instance;
    },

    /** `DELETE .../status`: drops the override; the status becomes `value` (default UNKNOWN). */
    deleteStatusOverride(app: string, id: string, status: InstanceStatus = 'UNKNOWN'): InstanceInfo | undefined {
      const instance = find(app, id);
      if (!instance) return undefined;
      overrides.delete(id);
      instance.overriddenStatus = 'UNKNOWN';
      instance.status = status;
      changed(instance, 'MODIFIED', clock());
      return instance;
    },

    /**
     * `PUT .../metadata?k=v`: merges runtime metadata. The dirty timestamp stays, unlike Eureka's,
     * so that peers applying the same replicated change keep identical timestamps.
     */
    updateMetadata(app: string, id: string, entries: Record<string, string>): InstanceInfo | undefined {
      const instance = find(app, id);
      if (!instance) return undefined;
      const now = clock();
      instance.metadata = { ...instance.metadata, ...entries };
      changed(instance, 'MODIFIED', now);
      return instance;
    },

    /**
     * Removes expired leases, longest expired first, at most the eviction limit per pass; none
     * while self-preservation holds.
     */
    evictExpired(): { evicted: InstanceInfo[]; stats: RegistryStats } {
      const now = clock();
      const current = stats(now);
      if (!current.leaseExpirationEnabled) return { evicted: [], stats: current };
      const expired: Array<{ instance: InstanceInfo; expiredAt: number }> = [];
      for (const instance of all()) {
        const expiredAt = instance.leaseInfo.lastRenewalTimestamp + instance.leaseInfo.durationInSecs * 1000;
        if (now > expiredAt) expired.push({ instance, expiredAt });
      }
      expired.sort((a, b) => a.expiredAt - b.expiredAt);
      const limit = evictionLimit(size, settings);
      const evicted = expired.slice(0, limit).map(({ instance }) => remove(instance.app, instance.instanceId, now) as InstanceInfo);
      return { evicted, stats: current };
    },

    applications(): ApplicationView[] {
      return [...apps.entries()]
        .map(([name, instances]) => ({ name, instances: [...instances.values()] }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    application(app: string): InstanceInfo[] | undefined {
      const instances = apps.get(app.toUpperCase());
      return instances ? [...instances.values()] : undefined;
    },

    instance: find,

    /** `GET /instances/{id}`: the id alone, across applications. */
    instanceById(id: string): InstanceInfo | undefined {
      for (const instances of apps.values()) {
        const instance = instances.get(id);
        if (instance) return instance;
      }
      return undefined;
    },

    /** Applications with the instances whose (comma-separated) VIP list holds `vip`. */
    byVip(vip: string, secure: boolean): ApplicationView[] {
      const wanted = vip.toLowerCase();
      const views: ApplicationView[] = [];
      for (const [name, instances] of apps) {
        const matching = [...instances.values()].filter((i) =>
          (secure ? i.secureVipAddress : i.vipAddress)
            .split(',')
            .some((v) => v.trim().toLowerCase() === wanted),
        );
        if (matching.length > 0) views.push({ name, instances: matching });
      }
      return views;
    },

    delta: (): ApplicationView[] => changes.applications(clock()),
    hashcode: (): string => appsHashcode(all()),
    stats: (): RegistryStats => stats(),
    /** Bumped on every change: the delta version and the response cache's key. */
    version: () => version,
    size: () => size,
  };
}
export type Registry = ReturnType<typeof createRegistry>;
