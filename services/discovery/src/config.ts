/** The discovery service's environment. */
import { baseConfigSchema, env } from '@stream-seat/platform';

export const discoveryConfigSchema = baseConfigSchema.extend({
  PORT: env.port(8761),
  /** How often expired leases are evicted. */
  EVICTION_INTERVAL_MS: env.int(60_000, 100),
});
export type DiscoveryConfig = typeof discoveryConfigSchema._output;
