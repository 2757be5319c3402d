/**
 * The registry: instances by application, each with a lease that renewals extend. An instance
 * whose lease ran out (last renewal + duration) is evicted by the eviction pass.
 */
import type { InstanceInfo, InstanceStatus } from './instance.js';

export interface RegistryOptions {
  clock?: () => number;
}

export type RenewResult = 'renewed' | 'unknown';

export function createRegistry(options: RegistryOptions = {}) {
  const clock = options.clock ?? Date.now;
  /** app name (upper case) → instanceId → instance */
  const apps = new Map<string, Map<string, InstanceInfo>>();
  let version = 0;

  const find = (app: string, id: string) => apps.get(app.toUpperCase())?.get(id);

  function remove(app: string, id: string): InstanceInfo | undefined {
    const instances = apps.get(app.toUpperCase());
    const instance = instances?.get(id);
    if (!instances || !instance) return undefined;
    instances.delete(id);
    if (instances.size === 0) apps.delete(app.toUpperCase());
    version++;
    return instance;
  }

  return {
    register(instance: InstanceInfo): void {
      const app = instance.app.toUpperCase();
      const now = clock();
      const existing = find(app, instance.instanceId);
      let instances = apps.get(app);
      if (!instances) {
        instances = new Map();
        apps.set(app, instances);
      }
      instances.set(instance.instanceId, {
        ...instance,
        app,
        leaseInfo: {
          ...instance.leaseInfo,
          registrationTimestamp: now,
          lastRenewalTimestamp: now,
          evictionTimestamp: 0,
          serviceUpTimestamp: existing?.leaseInfo.serviceUpTimestamp ?? (instance.status === 'UP' ? now : 0),
        },
        lastUpdatedTimestamp: now,
        actionType: existing ? 'MODIFIED' : 'ADDED',
      });
      version++;
    },

    renew(app: string, id: string): RenewResult {
      const instance = find(app, id);
      if (!instance) return 'unknown';
      instance.leaseInfo.lastRenewalTimestamp = clock();
      return 'renewed';
    },

    cancel(app: string, id: string): boolean {
      return remove(app, id) !== undefined;
    },

    setStatus(app: string, id: string, status: InstanceStatus): boolean {
      const instance = find(app, id);
      if (!instance) return false;
      instance.status = status;
      instance.overriddenStatus = status;
      instance.lastUpdatedTimestamp = clock();
      instance.actionType = 'MODIFIED';
      version++;
      return true;
    },

    /** Removes every instance whose lease has run out; returns what was evicted. */
    evictExpired(): InstanceInfo[] {
      const now = clock();
      const expired: InstanceInfo[] = [];
      for (const instances of apps.values()) {
        for (const instance of instances.values()) {
          const { lastRenewalTimestamp, durationInSecs } = instance.leaseInfo;
          if (now > lastRenewalTimestamp + durationInSecs * 1000) expired.push(instance);
        }
      }
      for (const instance of expired) remove(instance.app, instance.instanceId);
      return expired;
    },

    applications(): Array<{ name: string; instances: InstanceInfo[] }> {
      return [...apps.entries()]
        .map(([name, instances]) => ({ name, instances: [...instances.values()] }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    application(app: string): InstanceInfo[] | undefined {
      const instances = apps.get(app.toUpperCase());
      return instances ? [...instances.values()] : undefined;
    },

    instance: find,

    /** Bumped on every change; a cheap version for clients and the dashboard. */
    version: () => version,
  };
}
export type Registry = ReturnType<typeof createRegistry>;
