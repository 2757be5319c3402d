/** The changes of the last few minutes that `GET /apps/delta` serves: a snapshot per change, oldest first. */
import type { ApplicationView } from './eureka-json.js';
import type { InstanceInfo } from './instance.js';

interface Change {
  at: number;
  instance: InstanceInfo;
}

export function createRecentChanges(retentionMs: number) {
  let changes: Change[] = [];
  let start = 0;

  function prune(now: number): void {
    while (start < changes.length && (changes[start] as Change).at < now - retentionMs) start++;
    // Compact once the dropped prefix dominates, so pruning stays amortised O(1).
    if (start > 1024 && start * 2 > changes.length) {
      changes = changes.slice(start);
      start = 0;
    }
  }

  return {
    /** Records a copy, since the live instance keeps changing. */
    add(instance: InstanceInfo, now: number): void {
      changes.push({ at: now, instance: { ...instance, leaseInfo: { ...instance.leaseInfo }, metadata: { ...instance.metadata } } });
      prune(now);
    },
    /** The latest change of each instance within the retention, grouped by application. */
    applications(now: number): ApplicationView[] {
      prune(now);
      const latest = new Map<string, InstanceInfo>();
      for (let i = start; i < changes.length; i++) {
        const { instance } = changes[i] as Change;
        const key = `${instance.app}\u0000${instance.instanceId}`;
        latest.delete(key);
        latest.set(key, instance);
      }
      const apps = new Map<string, InstanceInfo[]>();
      for (const instance of latest.values()) {
        const list = apps.get(instance.app) ?? [];
        list.push(instance);
        apps.set(instance.app, list);
      }
      return [...apps.entries()].map(([name, instances]) => ({ name, instances }));
    },
  };
}
