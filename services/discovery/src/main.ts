/** The discovery service process: the Eureka-compatible registry on 8761. */
import { loadConfig, runService } from '@stream-seat/platform';
import { buildDiscoveryApp } from './app.js';
import { appRegistryTokens, discoveryConfigSchema } from './config.js';

const config = loadConfig(discoveryConfigSchema);
const { app } = buildDiscoveryApp({
  evictionIntervalMs: config.EVICTION_INTERVAL_MS,
  logLevel: config.LOG_LEVEL,
  selfPreservation: { enabled: config.SELF_PRESERVATION, renewalPercentThreshold: config.RENEWAL_PERCENT_THRESHOLD },
  deltaRetentionMs: config.DELTA_RETENTION_MS,
  responseCacheMs: config.RESPONSE_CACHE_MS,
  peers: config.REGISTRY_PEERS,
  peerTimeoutMs: config.PEER_TIMEOUT_MS,
  token: config.REGISTRY_TOKEN,
  appTokens: appRegistryTokens(),
  protectReads: config.REGISTRY_PROTECT_READS,
  warmupMs: config.REGISTRY_WARMUP_MS,
});
// The registry does not register with itself (Spring's register-with-eureka: false).
await runService({ app, appName: 'DISCOVERY', port: config.PORT, config: { ...config, EUREKA_URL: [] }, printableConfig: config });
