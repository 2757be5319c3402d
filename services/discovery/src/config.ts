/** The discovery service's environment: leases, self-preservation, replication and the write tokens. */
import { baseConfigSchema, ConfigError, env, resolveFileSecrets } from '@stream-seat/platform';
import { z } from 'zod';

export const discoveryConfigSchema = baseConfigSchema.extend({
  PORT: env.port(8761),
  /** How often expired leases are evicted (Eureka: 60 s). */
  EVICTION_INTERVAL_MS: env.int(60_000, 100),
  /** Self-preservation: stop expiring leases while renewals fall below the threshold. */
  SELF_PRESERVATION: env.bool(true),
  /** Fraction of the expected renewals per minute below which self-preservation holds (Eureka: 0.85). */
  RENEWAL_PERCENT_THRESHOLD: z.coerce.number().gt(0).max(1).default(0.85),
  /** How long changes stay in `GET /apps/delta` (Eureka: 3 minutes). */
  DELTA_RETENTION_MS: env.int(180_000, 1_000),
  /** How long an encoded full registry may be served again while nothing changed (Eureka: 30 s). */
  RESPONSE_CACHE_MS: env.int(30_000, 0),
  /** Peer registries to replicate to and copy from at start-up: URLs or DNS names, comma-separated. */
  REGISTRY_PEERS: env.urlList({ bareHosts: true }),
  /** Timeout of a call to a peer. */
  PEER_TIMEOUT_MS: env.int(3_000, 100),
  // REGISTRY_TOKEN (from the base schema): when set, writes need it (basic credentials in the
  // registry URL, or a bearer token).
  /**
   * Started without a peer's copy, the registry says it is warming up for this long (a header on
   * its answers): clients keep instances it does not list yet, as they register again at their
   * next renewal. At least the instances' renewal interval; 0: never.
   */
  REGISTRY_WARMUP_MS: env.int(90_000, 0),
  /** With REGISTRY_TOKEN set, reads (fetches and the dashboard) need it too. */
  REGISTRY_PROTECT_READS: env.bool(false),
});
export type DiscoveryConfig = typeof discoveryConfigSchema._output;

const APP_TOKEN_VARIABLE = /^([A-Z0-9_]+)_REGISTRY_TOKEN$/;

/**
 * The apps' own tokens: `<APP>_REGISTRY_TOKEN` (or `<APP>_REGISTRY_TOKEN_FILE`), `<APP>` being the
 * app's name upper-cased with `_` for anything else (`BOOKING_SERVICE_REGISTRY_TOKEN` for
 * BOOKING-SERVICE), by that key. Each is at least 8 characters, like REGISTRY_TOKEN.
 */
export function appRegistryTokens(environment: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const names = new Set<string>();
  for (const key of Object.keys(environment)) {
    const name = key.endsWith('_FILE') ? key.slice(0, -'_FILE'.length) : key;
    if (APP_TOKEN_VARIABLE.test(name)) names.add(name);
  }
  const resolved = resolveFileSecrets(environment, [...names]);
  const tokens = new Map<string, string>();
  const problems: string[] = [];
  for (const name of names) {
    const value = resolved[name] ?? '';
    if (value.length < 8) problems.push(`${name}: must be at least 8 characters`);
    else tokens.set((APP_TOKEN_VARIABLE.exec(name) as RegExpExecArray)[1] as string, value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return tokens;
}
