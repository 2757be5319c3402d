/**
 * Self-preservation, Eureka's guard against a network partition on the registry's side: when far
 * fewer renewals arrive than the registered instances should send, the registry assumes it is the
 * one cut off and lets no lease expire; and one eviction pass never removes more than a fraction.
 */
import type { InstanceInfo } from './instance.js';

export interface SelfPreservationSettings {
  enabled: boolean;
  /** Fraction of the expected renewals below which leases stop expiring (Eureka: 0.85). */
  renewalPercentThreshold: number;
  /** The window renewals are counted over (Eureka: one minute). */
  windowMs: number;
}

/**
 * The shortest renewal interval an instance is expected at, whatever its lease says: one renewal a
 * second. The decoder refuses shorter ones; this keeps any instance from "expecting" more (a
 * 0.000001 s interval once raised the threshold to 51 million, so no lease could expire again).
 */
export const SHORTEST_EXPECTED_RENEWAL_SECS = 1;

/**
 * Renewals per window the instances should send, from each one's own renewal interval. An
 * instance registered for less than a window is left out: its renewals cannot fill the window
 * yet, and counting it would switch self-preservation on whenever many instances start at once.
 */
export function expectedRenewals(instances: Iterable<InstanceInfo>, now: number, windowMs: number): number {
  let expected = 0;
  for (const i of instances) {
    if (now - i.leaseInfo.registrationTimestamp < windowMs) continue;
    const interval = i.leaseInfo.renewalIntervalInSecs;
    expected += windowMs / ((interval >= SHORTEST_EXPECTED_RENEWAL_SECS ? interval : SHORTEST_EXPECTED_RENEWAL_SECS) * 1000);
  }
  return expected;
}

/** Eureka's `numberOfRenewsPerMinThreshold`: (int)(expected × percent). */
export function renewalThreshold(expected: number, settings: SelfPreservationSettings): number {
  return Math.floor(expected * settings.renewalPercentThreshold);
}

/** Leases may expire unless self-preservation is on and renewals fell below the threshold. */
export function isLeaseExpirationEnabled(renewals: number, threshold: number, settings: SelfPreservationSettings): boolean {
  return !settings.enabled || renewals >= threshold;
}

/** Eureka's eviction limit: registry size minus (int)(size × percent), so at least one of a small registry. */
export function evictionLimit(registrySize: number, settings: SelfPreservationSettings): number {
  return registrySize - Math.floor(registrySize * settings.renewalPercentThreshold);
}
